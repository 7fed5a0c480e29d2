/**
 * Usage on the in-process model counts every token the model generated. With a JSON grammar,
 * node-llama-cpp holds whitespace tokens back (they may be trailing space to trim) and drops them
 * unreported when the answer reaches max_tokens there: the answer used all of max_tokens, and
 * usage — what /v1/usage and the cost metrics record — must say so.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { storiesEntry } from "../support/stories-entry.js";

const model = storiesEntry();
let provider: LlamaCppProvider;

beforeAll(async () => {
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, parallel: 1, queue: 8 });
  provider = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
  await provider.start();
});
afterAll(async () => {
  await provider?.close();
});

describe("completion tokens of a JSON answer cut at max_tokens", () => {
  it("are max_tokens, also when the last tokens were whitespace the grammar held back", async () => {
    // Greedy stories260K in JSON mode writes 39 tokens, then a run of whitespace tokens (measured).
    const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], temperature: 0, response_format: { type: "json_object" as const } };
    for (const max_tokens of [40, 50, 60]) {
      const completion = await provider.complete({ model, request: { ...request, max_tokens }, signal: new AbortController().signal });
      expect(completion.choices[0]!.finish_reason).toBe("length");
      expect(completion.usage?.completion_tokens).toBe(max_tokens);
    }
  });
});
