/**
 * Sentence punctuation after a URL is trimmed off it. The trim was `/[.,;:!?'")\]}>]+$/` on the URL: tried
 * from each character of a run of such punctuation that something else follows (`http://a.b/` then 100,000
 * dots, then `x`), each try ran to the run's end, in time quadratic in the run, inside one regex call
 * the scan's deadline cannot stop: 100 KB took ~5.5 s of CPU, a megabyte (the largest text scanned)
 * about ten minutes, holding the event loop.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { urlRecognizer } from "../../src/pii/recognizers/url.js";
import { leastCpuMs } from "../support/cpu-time.js";

const recognizer = urlRecognizer();
const urls = (text: string) => {
  const out: { start: number; end: number }[] = [];
  recognizer.scan(text, out as never, NO_DEADLINE);
  return out.map((e) => text.slice(e.start, e.end));
};

describe("a URL with a long run of punctuation inside it", () => {
  it.each([
    ["dots", `http://a.example/${".".repeat(40_000)}x`],
    ["closing brackets", `see http://a.example/${")]}".repeat(13_000)}x`],
  ])("of %s is read in linear time", (_label, text) => {
    // Linear: a few ms. Quadratic: ~0.9 s of CPU for 40 KB.
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(150);
  });
});

describe("trailing punctuation", () => {
  it.each([
    ["Visit https://example.com/docs.", "https://example.com/docs"],
    ["(see https://example.com/a?b=1), then", "https://example.com/a?b=1"],
    ["Read https://en.wikipedia.org/wiki/Function_(mathematics).", "https://en.wikipedia.org/wiki/Function_(mathematics)"],
    ["at www.example.com/path/...!?", "www.example.com/path/"],
    ["link: https://example.com/a.b;c", "https://example.com/a.b;c"],
  ])("is left out in %j", (text, url) => {
    expect(urls(text)).toEqual([url]);
  });
});
