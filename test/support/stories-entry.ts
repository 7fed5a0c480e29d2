/**
 * The registry entry of the stories260K test model on the in-process route, for tests that drive a
 * local provider or runtime directly (without a gateway's models.yaml).
 */
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { LlamaCppProviderSchema } from "../../src/config/models-schema.js";
import type { ModelEntry } from "../../src/models/registry.js";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { STORIES_MODEL } from "./gateway.js";

/** @example const model = storiesEntry({ maxOutputTokens: 64 }); */
export function storiesEntry(overrides: Partial<Pick<ModelEntry, "contextWindow" | "maxOutputTokens">> = {}): ModelEntry {
  return {
    id: "stories",
    providerId: "local",
    location: "local",
    upstreamModel: "stories",
    path: STORIES_MODEL,
    contextWindow: 2048,
    maxOutputTokens: 64,
    capabilities: { tools: false, json_schema: true, vision: false },
    price: undefined,
    ...overrides,
  };
}

/**
 * For one test file: a local provider serving `storiesEntry(overrides)` with one thread and the
 * provider settings in `options` (models.yaml's names), started in `beforeAll`
 * and closed in `afterAll`. Read it through the handle once the hooks have run.
 *
 * @example
 * const local = storiesProvider({ parallel: 2 });
 * it("…", async () => { await local.provider.complete({ model: local.model, request, signal }); });
 */
export function storiesProvider(
  options: { parallel: number; queue?: number; queue_timeout_ms?: number; top_k?: number },
  overrides: Parameters<typeof storiesEntry>[0] = {},
): { readonly model: ModelEntry; readonly provider: LlamaCppProvider } {
  const model = storiesEntry(overrides);
  let provider: LlamaCppProvider | undefined;
  beforeAll(async () => {
    const config = LlamaCppProviderSchema.parse({ type: "llama_cpp", threads: 1, queue: 8, ...options });
    provider = new LlamaCppProvider("local", config, [model], pino({ enabled: false }));
    await provider.start();
  });
  afterAll(async () => {
    await provider?.close();
  });
  return {
    model,
    get provider() {
      if (!provider) throw new Error("storiesProvider: read the provider in a test, after beforeAll");
      return provider;
    },
  };
}
