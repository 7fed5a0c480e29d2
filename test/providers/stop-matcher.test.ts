import { describe, expect, it } from "vitest";
import { StopMatcher } from "../../src/providers/local/stop-matcher.js";
import { leastCpuMs } from "../support/cpu-time.js";

function run(stops: string[], chunks: string[]) {
  const matcher = new StopMatcher(stops);
  let out = "";
  for (const chunk of chunks) {
    out += matcher.push(chunk);
    if (matcher.stopped) break;
  }
  out += matcher.flush();
  return { out, stopped: matcher.stopped };
}

describe("StopMatcher", () => {
  it("cuts before a stop string split across every possible chunk boundary", () => {
    const text = "Once upon a time there was a little girl.";
    for (let i = 1; i < text.length; i++) {
      for (let j = i; j < text.length; j++) {
        const { out, stopped } = run([" little"], [text.slice(0, i), text.slice(i, j), text.slice(j)]);
        expect(out).toBe("Once upon a time there was a");
        expect(stopped).toBe(true);
      }
    }
  });

  it("releases held-back text when no stop string completes", () => {
    expect(run(["\nUser:"], ["Hello\nUs", "e", "ful"])).toEqual({ out: "Hello\nUseful", stopped: false });
  });

  it("stops at the earliest of several stop strings", () => {
    expect(run(["END", "stop"], ["a stop then END"]).out).toBe("a ");
  });

  it("passes text straight through without stop strings", () => {
    expect(run([], ["a", "b"])).toEqual({ out: "ab", stopped: false });
  });

  it("ignores empty stop strings, which would end every answer before its first character", () => {
    expect(run(["", "END"], ["a", "b END"])).toEqual({ out: "ab ", stopped: true });
    expect(run([""], ["a", "b"])).toEqual({ out: "ab", stopped: false });
  });

  // A client's stop strings may be long (the body limit is the only bound). The held tail was searched
  // again on every push and its longest partial stop string looked for from its whole length down:
  // 3,000 tokens writing the start of four 100,000-character stop strings took ~1.4 s of CPU. And the
  // released pieces were spliced off the front of the held ones, moving all still held on each push:
  // 200,000 one-character tokens under a 100,001-character stop string took several seconds.
  it("matches long stop strings in time linear in the text, and still releases or cuts as before", () => {
    const stops = ["b", "c", "d", "e"].map((last, i) => `${"a".repeat(100_000 - i)}${last}`);
    let result = { out: "", stopped: true };
    const took = leastCpuMs(() => (result = run(stops, [...Array.from({ length: 3_000 }, () => "aaaa"), "z"])));
    expect(result).toEqual({ out: `${"aaaa".repeat(3_000)}z`, stopped: false });
    expect(took).toBeLessThan(500);
    const pieces = `x${"a".repeat(99_999)}d and on`.match(/.{1,4}/gs)!;
    expect(run(stops, pieces)).toEqual({ out: "xa", stopped: true });

    const long = `${"a".repeat(100_000)}b`;
    const letters = Array.from({ length: 200_000 }, () => "a");
    const tookOneByOne = leastCpuMs(() => (result = run([long], [...letters, "b"])));
    expect(result).toEqual({ out: "a".repeat(100_000), stopped: true });
    expect(tookOneByOne).toBeLessThan(500);
    expect(run([long], [...letters, "z", "a"])).toEqual({ out: `${"a".repeat(200_000)}za`, stopped: false });
  });
});

