/**
 * The grammar for `format` `date` and `date-time` writes only what zod's own patterns accept: real
 * calendar dates and UTC times. That is what lets a zod schema's `pattern` beside those formats be
 * taken as enforced (grammar-schema.ts); node-llama-cpp's own rules allowed `2023-02-31` and offsets.
 */
import { getLlama, type Llama, type LlamaGrammar } from "node-llama-cpp";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { GrammarCache } from "../../src/providers/local/grammar-cache.js";

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});

async function grammarFor(format: string): Promise<LlamaGrammar> {
  const cache = new GrammarCache(llama);
  const grammar = await cache.forResponseFormat({ type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { v: { type: "string", format } } } } });
  return grammar!;
}

/** Whether the grammar can write `{"v": "<value>"}` as a whole answer. */
function writes(grammar: LlamaGrammar, value: string): boolean {
  return (grammar as unknown as { _testText(text: string): boolean })._testText(`{"v": "${value}"}\n\n\n\n`);
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const candidates: string[] = [];
for (const year of [0, 4, 100, 1900, 2000, 2023, 2024, 2100, 2400, 9996, 9999]) {
  for (let month = 0; month <= 13; month++) for (let day = 0; day <= 32; day++) candidates.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
}

describe("calendar formats in the local grammar", () => {
  it("writes exactly the dates zod's z.iso.date() pattern accepts", async () => {
    const grammar = await grammarFor("date");
    const pattern = new RegExp((z.toJSONSchema(z.iso.date()) as { pattern: string }).pattern);
    const disagreements = candidates.filter((d) => writes(grammar, d) !== pattern.test(d));
    expect(disagreements).toEqual([]);
    expect(writes(grammar, "2024-02-29")).toBe(true);
    expect(writes(grammar, "2023-02-29")).toBe(false);
  });

  it("writes only date-times zod's z.iso.datetime() pattern accepts", async () => {
    const grammar = await grammarFor("date-time");
    const pattern = new RegExp((z.toJSONSchema(z.iso.datetime()) as { pattern: string }).pattern);
    const times = ["00:00:00Z", "23:59:59Z", "12:30:45.123Z", "24:00:00Z", "12:60:00Z", "12:00:00+01:00", "12:00:00-05:30", "12:00:00", "12:00:00.1Z"];
    const samples = candidates.filter((_, i) => i % 7 === 0).flatMap((d) => times.map((t) => `${d}T${t}`));
    const unsound = samples.filter((s) => writes(grammar, s) && !pattern.test(s));
    expect(unsound).toEqual([]);
    expect(writes(grammar, "2024-02-29T12:30:45.123Z")).toBe(true);
  });
});
