/**
 * The OpenAI-compatible provider as the provider tests drive it: one cloud model, `gpt-test`, served
 * by the provider `upstream` at a base URL the test's own upstream listens on.
 */
import { OpenAICompatibleProviderSchema } from "../../src/config/models-schema.js";
import type { ModelEntry } from "../../src/models/registry.js";
import { OpenAICompatibleProvider } from "../../src/providers/cloud/openai-provider.js";

export const CLOUD_TEST_MODEL: ModelEntry = {
  id: "gpt-test",
  providerId: "upstream",
  location: "cloud",
  upstreamModel: "upstream-model",
  path: undefined,
  contextWindow: 8192,
  maxOutputTokens: 512,
  capabilities: { tools: true, json_schema: true, vision: false },
  price: undefined,
};

/** The provider `upstream` at `baseURL` over `fetch`: a 2 s timeout and no retries unless told. */
export function testProvider(baseURL: string, fetch: typeof globalThis.fetch, o: { maxRetries?: number; timeoutMs?: number } = {}) {
  const config = OpenAICompatibleProviderSchema.parse({ type: "openai_compatible", base_url: baseURL, timeout_ms: o.timeoutMs ?? 2000, max_retries: o.maxRetries ?? 0 });
  return new OpenAICompatibleProvider({ id: "upstream", config, baseURL, apiKey: "sk-test", fetch });
}
