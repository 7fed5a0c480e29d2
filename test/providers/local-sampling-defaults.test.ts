/**
 * OpenAI samples from the whole distribution unless `top_p` narrows it: its default top_p is 1 and it
 * has no top-k. node-llama-cpp's own defaults (top_p 0.95, top-k 40) must not stand in for them.
 * After "Once upon a time" stories260K writes "," with more than 95% probability, so a nucleus of 0.95
 * taken before the temperature leaves that token alone even at temperature 2.
 */
import { describe, expect, it } from "vitest";
import { storiesProvider } from "../support/stories-entry.js";

const local = storiesProvider({ parallel: 1 });

/** The first token's text at temperature 2 for each seed in turn. */
async function firstTokens(seeds: number, extra: { top_p?: number } = {}): Promise<string[]> {
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
    expect(await firstTokens(40)).toEqual(await firstTokens(40, { top_p: 1 }));
  }, 30_000);

  it("at temperature 2 writes other first tokens than the likeliest, from more than 40 of them over 300 seeds", async () => {
    const distinct = new Set(await firstTokens(300));
    expect(distinct.size).toBeGreaterThan(40);
  }, 60_000);
});
