/**
 * `type: "integer"` on the local route: node-llama-cpp's integer rule allows an exponent, so the model
 * could write `-5e-2` or `15e-1` — a fraction, answered with a 200 as if it satisfied the schema
 * (and `oneOf: [{const: 1.5}, {type: "integer"}]` would no longer be exclusive). The grammar writes
 * integers as plain digits only; `number` keeps its exponents.
 */
import { getLlama, type Llama, type LlamaGrammar } from "node-llama-cpp";
import { beforeAll, describe, expect, it } from "vitest";
import { GrammarCache } from "../../src/providers/local/grammar-cache.js";

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});

async function grammarFor(type: "integer" | "number"): Promise<LlamaGrammar> {
  const cache = new GrammarCache(llama);
  const schema = { type: "object", properties: { n: { type } }, required: ["n"], additionalProperties: false };
  return (await cache.forResponseFormat({ type: "json_schema", json_schema: { name: "x", schema } }))!;
}

/** Whether the grammar can write `{"n": <value>}` as a whole answer. */
function writes(grammar: LlamaGrammar, value: string): boolean {
  return (grammar as unknown as { _testText(text: string): boolean })._testText(`{"n": ${value}}\n\n\n\n`);
}

const INTEGERS = ["0", "7", "-3", "42", "1234567890123456"];
const WITH_EXPONENTS = ["-5e-2", "15e-1", "22e-4", "1e3", "2E+2", "2111e70000"];

describe("integers in the local grammar", () => {
  it("writes integers as digits only, never with an exponent", async () => {
    const grammar = await grammarFor("integer");
    expect(INTEGERS.filter((v) => !writes(grammar, v))).toEqual([]);
    expect(WITH_EXPONENTS.filter((v) => writes(grammar, v))).toEqual([]);
    expect(writes(grammar, "1.5")).toBe(false);
  });

  it("keeps fractions and exponents for numbers", async () => {
    const grammar = await grammarFor("number");
    expect([...INTEGERS, "1.5", "-5e-2", "15e-1"].filter((v) => !writes(grammar, v))).toEqual([]);
  });
});
