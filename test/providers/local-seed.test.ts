/**
 * Sampling seeds on the in-process model: requests without a seed sample independently (n > 1 is
 * refused, so separate requests are how a client gets several samples), and a client's seed is
 * taken as the 64-bit integer OpenAI documents, not clamped.
 */
import { describe, expect, it } from "vitest";
import { storiesProvider } from "../support/stories-entry.js";

const local = storiesProvider({ parallel: 2 });

async function answer(seed?: number): Promise<string> {
  const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 24, temperature: 1.5, ...(seed === undefined ? {} : { seed }) };
  const completion = await local.provider.complete({ model: local.model, request, signal: new AbortController().signal });
  return completion.choices[0]!.message.content ?? "";
}

describe("local model sampling seeds", () => {
  it("gives requests without a seed, sent in the same second, different samples", async () => {
    const answers = await Promise.all([answer(), answer(), answer(), answer()]);
    expect(new Set(answers).size).toBeGreaterThan(1);
  });

  it("repeats an answer for the same seed, and tells negative seeds apart from 0", async () => {
    expect(await answer(7)).toBe(await answer(7));
    const zero = await answer(0);
    expect(await answer(-1)).not.toBe(zero);
    expect(await answer(-2)).not.toBe(zero);
  });
});
