import { describe, expect, it } from "vitest";
import { StopMatcher } from "../../src/providers/local/stop-matcher.js";

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
});
