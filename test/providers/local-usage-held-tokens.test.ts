/**
 * Usage on the in-process model counts every token the model generated. With a JSON grammar,
 * node-llama-cpp holds whitespace tokens back (they may be trailing space to trim) and drops them
 * unreported when the answer reaches max_tokens there: the answer used all of max_tokens, and
 * usage — what /v1/usage and the cost metrics record — must say so.
 */
import { describe, expect, it } from "vitest";
import { storiesProvider } from "../support/stories-entry.js";

const local = storiesProvider({ parallel: 1 });

describe("completion tokens of a JSON answer cut at max_tokens", () => {
  it("are max_tokens, also when the last tokens were whitespace the grammar held back", async () => {
    // Greedy stories260K in JSON mode writes 39 tokens, then a run of whitespace tokens (measured).
    const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], temperature: 0, response_format: { type: "json_object" as const } };
    for (const max_tokens of [40, 50, 60]) {
      const completion = await local.provider.complete({ model: local.model, request: { ...request, max_tokens }, signal: new AbortController().signal });
      expect(completion.choices[0]!.finish_reason).toBe("length");
      expect(completion.usage?.completion_tokens).toBe(max_tokens);
    }
  });
});
