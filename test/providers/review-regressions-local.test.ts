/**
 * Review of the shutdown change: each generation must not leave anything behind on the runtime's
 * long-lived state. On Node 20 a signal passed to AbortSignal.any keeps a (weak) entry for every
 * dependent signal made from it, and never removes it, so joining the runtime's lifetime signal into
 * each generation's signal grew the heap by one entry per generation served.
 */
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import type { ModelEntry } from "../../src/models/registry.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { STORIES_MODEL } from "../support/gateway.js";

const model: ModelEntry = {
  id: "stories",
  providerId: "local",
  location: "local",
  upstreamModel: "stories",
  path: STORIES_MODEL,
  contextWindow: 2048,
  maxOutputTokens: 1900,
  capabilities: { tools: false, json_schema: true, vision: false },
  price: undefined,
};
let provider: LlamaCppProvider;

beforeAll(async () => {
  const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, parallel: 1, queue: 4, queue_timeout_ms: 5_000 });
  provider = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
  await provider.start();
});
afterAll(async () => {
  await provider?.close();
});

/** Every AbortSignal anywhere on the runtime, with how many dependent signals each one tracks. */
function dependants(runtime: object): number {
  let total = 0;
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 2) return;
    seen.add(value);
    if (value instanceof AbortSignal) {
      const key = Object.getOwnPropertySymbols(value).find((s) => s.description === "kDependantSignals");
      const set = key ? (value as unknown as Record<symbol, Set<unknown> | undefined>)[key] : undefined;
      total += set?.size ?? 0;
      return;
    }
    if (value instanceof AbortController) return visit(value.signal, depth + 1);
    for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], depth + 1);
  };
  visit(runtime, 0);
  return total;
}

it("review: serving generations leaves no per-generation entry on the runtime's signals", async () => {
  const runtime = (provider as unknown as { states: Map<string, { runtime: object }> }).states.get("stories")!.runtime;
  const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 1 };
  for (let i = 0; i < 20; i++) await provider.complete({ model, request, signal: new AbortController().signal });
  expect(dependants(runtime)).toBeLessThan(5);
}, 30_000);
