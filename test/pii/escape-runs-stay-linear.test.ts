/**
 * A run of backslashes (a Windows path doubled and redoubled, a log of escaped JSON) before or after an
 * escape is read in time proportional to its length: the escape pattern once tried `\\+u…` from every
 * backslash of the run, quadratic and inside one regex call the scan's deadline cannot interrupt, so a
 * 40K-character run blocked the event loop for seconds whatever the budget.
 */
import { describe, expect, it } from "vitest";
import { decodeEscapes } from "../../src/pii/decode.js";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { defaultPolicy, userMessageForCloud } from "./support.js";

/** Milliseconds `run` takes. */
function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

describe("runs of escape-like characters", () => {
  it("a backslash run cannot stall the event loop", () => {
    const policy = defaultPolicy();
    const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
    const send = (content: string) => userMessageForCloud(sanitizer, content);
    send("caf\\u00e9 \\\\"); // compiled and warm: what is timed is the run
    const content = "caf\\u00e9 " + "\\".repeat(40_000);
    const ms = timed(() => send(content));
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ["backslashes before an escape", "\\".repeat(40_000) + "u00e9"],
    ["backslashes after an escape", "\\u00e9" + "\\".repeat(40_000)],
    ["backslashes before x", "\\x41" + "\\".repeat(40_000) + "x"],
    ["backslashes before u{", "\\u{41}" + "\\".repeat(40_000) + "u{"],
    ["percent signs", "%41" + "%".repeat(40_000)],
    ["ampersands", "&#64;" + "&".repeat(40_000) + "#"],
    ["numeric references with long zeros", "&#64;" + "&#0000000000".repeat(4_000)],
    ["named-reference lookalikes", "&amp;" + "&abcdefgh".repeat(4_000)],
  ])("decodes %s in linear time", (_name, text) => {
    expect(timed(() => decodeEscapes(text))).toBeLessThan(1000);
  });

  it("still takes every backslash of a run with its escape", () => {
    expect(decodeEscapes("ann\\\\\\\\u0040x.io")?.text).toBe("ann@x.io");
    expect(decodeEscapes("a\\\\\\x41\\\\x42")?.text).toBe("aAB");
  });
});
