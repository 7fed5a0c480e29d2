/**
 * A capitalised word was matched by `\p{Lu}[letters]*\p{Ll}(?:[letters]*\p{L})?`: two runs of the same
 * characters side by side, so where the word could not end (a digit glued to it: `AaAa…Aa1`) every way
 * of splitting it between the runs was tried, in time quadratic in its length. One regex call cannot be
 * stopped by the scan's deadline: a 32 KB token took ~1.1 s of CPU, a 100 KB one ~10 s, a megabyte
 * (the largest text scanned) minutes, holding the event loop throughout.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { createPiiEngine } from "../../src/pii/index.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { defaultPolicy, valuesOf } from "./support.js";

const engine = createPiiEngine(defaultPolicy(), { cacheEntries: 0 });
const names = engine.recognizers.find((r) => r.name === "names_and_places")!;

describe("a long capitalised word that cannot end where a name ends", () => {
  it.each([
    ["glued to a digit", `${"Aa".repeat(12_000)}1`],
    ["after a first name", `Dear Maria ${"Aa".repeat(12_000)}1`],
  ])("%s is read in linear time", (_label, text) => {
    // Linear: a few ms. Quadratic: 0.6-2.5 s of CPU (24 KB).
    expect(leastCpuMs(() => names.scan(text, [], NO_DEADLINE))).toBeLessThan(150);
  });
});

describe("capitalised words read as before", () => {
  it.each([
    ["Dear Maria Gonzalez,", ["Maria Gonzalez"]],
    ["Dear Maria Gonzalez-Perez,", ["Maria Gonzalez-Perez"]],
    ["Dear Seán O'Brien-McDonald,", ["Seán O'Brien-McDonald"]],
    ["Dear Maria Gonzalez- and team", ["Maria Gonzalez"]],
    ["Sign 'Maria Gonzalez' please", ["Maria Gonzalez"]],
    ["Dear MaRIA GonzaleZ,", ["MaRIA GonzaleZ"]],
  ])("in %j", (text, expected) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual(expected);
  });
});
