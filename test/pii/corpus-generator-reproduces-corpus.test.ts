import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCorpus, corpusJsonl, corpusPath } from "../fixtures/pii/generate-corpus.js";

const HOW_TO_FIX =
  "corpus.jsonl must be exactly what test/fixtures/pii/generate-corpus.ts writes: add a new sample to the generator " +
  "(a fixed entry, as fieldSamples does), never to corpus.jsonl by hand, then run `npx tsx test/fixtures/pii/generate-corpus.ts`.";

/** Ids in `a` that `b` lacks, so a failure names the samples a regeneration would drop or add. */
const idsMissingFrom = (a: string[], b: string[]) => {
  const present = new Set(b.map((line) => (JSON.parse(line) as { id: string }).id));
  return a.map((line) => (JSON.parse(line) as { id: string }).id).filter((id) => !present.has(id));
};

describe("the PII corpus generator", () => {
  it("reproduces the committed corpus.jsonl byte for byte, so regenerating it loses no sample", () => {
    const committed = readFileSync(corpusPath, "utf8");
    const generated = corpusJsonl();
    if (generated === committed) return;

    const committedLines = committed.split("\n");
    const generatedLines = generated.split("\n");
    const firstDiff = committedLines.findIndex((line, i) => line !== generatedLines[i]);
    const details = [
      `Only in corpus.jsonl (a regeneration would delete them): ${idsMissingFrom(committedLines.filter(Boolean), generatedLines.filter(Boolean)).join(", ") || "none"}`,
      `Only in the generator's output: ${idsMissingFrom(generatedLines.filter(Boolean), committedLines.filter(Boolean)).join(", ") || "none"}`,
      `First differing line ${firstDiff + 1}:\n  committed: ${committedLines[firstDiff]?.slice(0, 200)}\n  generated: ${generatedLines[firstDiff]?.slice(0, 200)}`,
    ].join("\n");
    expect.fail(`${HOW_TO_FIX}\n${details}`);
  });

  it("builds the same samples on every call, without writing the file", () => {
    const before = readFileSync(corpusPath, "utf8");
    expect(corpusJsonl(buildCorpus())).toBe(corpusJsonl(buildCorpus()));
    expect(readFileSync(corpusPath, "utf8")).toBe(before);
  });
});
