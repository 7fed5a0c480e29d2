/**
 * Review: the in-process provider when the client is already gone by the time the model is called
 * (it left during the conversation load, the PII scan or the classifier), and when it is closed
 * (shutdown) under running generations.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import { GatewayError } from "../../src/errors.js";
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

const request = { model: "stories", messages: [{ role: "user" as const, content: "Once upon a time" }], max_tokens: 1900, temperature: 1 };

describe("review: local provider", () => {
  it("does not start a completion for a client that has already gone", async () => {
    const client = new AbortController();
    client.abort(new Error("client gone"));
    let started = false;
    const outcome = await provider.complete({ model, request, signal: client.signal, onStart: () => (started = true) }).catch((e: unknown) => e);
    expect(started).toBe(false);
    expect(outcome).toBeInstanceOf(Error);
  });

  it("does not start a stream for a client that has already gone", async () => {
    const client = new AbortController();
    client.abort(new Error("client gone"));
    let started = false;
    const outcome = await provider.stream({ model, request, signal: client.signal, onStart: () => (started = true) }).catch((e: unknown) => e);
    // Whatever it returns, the slot must not be spent generating an answer nobody reads.
    await new Promise((r) => setTimeout(r, 100));
    expect(started).toBe(false);
    expect(outcome).toBeInstanceOf(Error);
    expect(provider.status(model).active).toBe(0);
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

