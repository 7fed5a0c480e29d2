/**
 * Review: the in-process provider when the client is already gone by the time the model is called
 * (it left during the conversation load, the PII scan or the classifier), and when it is closed
 * (shutdown) under running generations.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { GatewayError } from "../../src/errors.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { storiesProvider } from "../support/stories-entry.js";

const local = storiesProvider({ parallel: 1, queue: 4, queue_timeout_ms: 5_000 }, { maxOutputTokens: 1900 });
const { model } = local;

const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 1900, temperature: 1 };

describe("review: local provider", () => {
  it("does not start a completion for a client that has already gone", async () => {
    const client = new AbortController();
    client.abort(new Error("client gone"));
    let started = false;
    const outcome = await local.provider.complete({ model, request, signal: client.signal, onStart: () => (started = true) }).catch((e: unknown) => e);
    expect(started).toBe(false);
    expect(outcome).toBeInstanceOf(Error);
  });

  it("does not start a stream for a client that has already gone", async () => {
    const client = new AbortController();
    client.abort(new Error("client gone"));
    let started = false;
    const outcome = await local.provider.stream({ model, request, signal: client.signal, onStart: () => (started = true) }).catch((e: unknown) => e);
    // Whatever it returns, the slot must not be spent generating an answer nobody reads.
    await new Promise((r) => setTimeout(r, 100));
    expect(started).toBe(false);
    expect(outcome).toBeInstanceOf(Error);
    expect(local.provider.status(model).active).toBe(0);
  });
});

describe("review: local provider shutdown", () => {
  it("ends running generations with an error when it closes, instead of leaving them hanging", async () => {
    const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, parallel: 2, queue: 4, queue_timeout_ms: 5_000 });
    const closing = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
    await closing.start();
    const [first, second] = await Promise.all([0, 1].map(() => closing.stream({ model, request, signal: new AbortController().signal })));
    const read = async (stream: AsyncIterable<unknown>, closeAfter?: number) => {
      let chunks = 0;
      for await (const _ of stream) if (++chunks === closeAfter) void closing.close();
      return "ended as if complete";
    };
    const hanging = new Promise((r) => setTimeout(() => r("still hanging"), 5000));
    const outcomes = await Promise.all([read(first!, 3), read(second!)].map((reading) => Promise.race([reading.catch((e: unknown) => e), hanging])));
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(GatewayError);
      expect((outcome as GatewayError).code).toBe("model_unavailable");
    }
  }, 10_000);
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

// The shutdown change: each generation must not leave anything behind on the runtime's long-lived
// state. On Node 20 a signal passed to AbortSignal.any keeps a (weak) entry for every dependent signal
// made from it, and never removes it, so joining the runtime's lifetime signal into each generation's
// signal grew the heap by one entry per generation served.
describe("review: local provider lifetime", () => {
  it("leaves no per-generation entry on the runtime's signals", async () => {
    const runtime = (local.provider as unknown as { states: Map<string, { runtime: object }> }).states.get("stories")!.runtime;
    const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 1 };
    for (let i = 0; i < 20; i++) await local.provider.complete({ model, request, signal: new AbortController().signal });
    expect(dependants(runtime)).toBeLessThan(5);
  }, 30_000);
});
