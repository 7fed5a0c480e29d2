/**
 * OpenAI's default top_p is 1: node-llama-cpp's own (0.95, taken before the temperature) must not stand
 * in for it. After "Once upon a time" stories260K writes "," with more than 95% probability, so a
 * nucleus of 0.95 leaves that token alone even at temperature 2. Top-k is the provider's `top_k` in
 * models.yaml: 40 by default, as llama.cpp's server and Ollama sample; 0 samples from the whole
 * vocabulary, as OpenAI does.
 */
import { describe, expect, it } from "vitest";
import { storiesProvider } from "../support/stories-entry.js";

const byDefault = storiesProvider({ parallel: 1 });
const noTopK = storiesProvider({ parallel: 1, top_k: 0 });

/** The first token's text at temperature 2 for each seed in turn. */
async function firstTokens(local: typeof byDefault, seeds: number, extra: { top_p?: number } = {}): Promise<string[]> {
  const tokens: string[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 1, temperature: 2, seed, ...extra };
    const completion = await local.provider.complete({ model: local.model, request, signal: new AbortController().signal });
    tokens.push(completion.choices[0]!.message.content ?? "");
  }
  return tokens;
}

describe("local model sampling without top_p", () => {
  it("samples as top_p 1 does: the same answer for the same seed", async () => {
    expect(await firstTokens(byDefault, 40)).toEqual(await firstTokens(byDefault, 40, { top_p: 1 }));
  }, 30_000);

  it("with top_k 0, at temperature 2, writes first tokens from more than 40 of them over 300 seeds", async () => {
    const distinct = new Set(await firstTokens(noTopK, 300));
    expect(distinct.size).toBeGreaterThan(40);
  }, 60_000);

  it("with the default top_k, writes other first tokens than the likeliest, from 40 of them at most", async () => {
    const distinct = new Set(await firstTokens(byDefault, 300));
    expect(distinct.size).toBeGreaterThan(1);
    expect(distinct.size).toBeLessThanOrEqual(40);
  }, 60_000);
});
