/**
 * Builds one provider per entry in `models.yaml`'s `providers` and finds the one serving a model.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/load.js";
import type { ModelEntry } from "../models/registry.js";
import { OpenAICompatibleProvider } from "./cloud/openai-provider.js";
import { LlamaCppProvider } from "./local/llama-provider.js";
import type { ChatProvider } from "./types.js";

export interface ProviderSet {
  readonly all: readonly ChatProvider[];
  forModel(model: ModelEntry): ChatProvider;
  /** Whether the model can take a request now (loaded, configured). */
  isReady(model: ModelEntry): boolean;
  /** Starts background work such as loading local models. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ProviderSetOptions {
  /** Replaces the global fetch of cloud providers (benchmarks use a tuned dispatcher). */
  fetch?: typeof fetch;
}

export function createProviderSet(config: GatewayConfig, log: Logger, options: ProviderSetOptions = {}): ProviderSet {
  const providers = new Map<string, ChatProvider>();
  const models = [...config.registry.models.values()];
  for (const [id, provider] of Object.entries(config.providers)) {
    if (provider.type === "llama_cpp") {
      providers.set(id, new LlamaCppProvider(id, provider, models.filter((m) => m.providerId === id), log.child({ provider: id })));
    } else {
      providers.set(
        id,
        new OpenAICompatibleProvider({
          id,
          config: provider,
          baseURL: provider.base_url,
          apiKey: provider.api_key_env ? config.secrets[provider.api_key_env] : undefined,
          keyRequired: provider.api_key_env !== undefined,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      );
    }
  }
  const forModel = (model: ModelEntry): ChatProvider => {
    const provider = providers.get(model.providerId);
    // The config loader has already checked every model's provider exists.
    if (!provider) throw new Error(`no provider '${model.providerId}' for model '${model.id}'`);
    return provider;
  };
  return {
    all: [...providers.values()],
    forModel,
    isReady: (model) => forModel(model).status(model).state === "ready",
    async start() {
      await Promise.all([...providers.values()].map((p) => (p instanceof LlamaCppProvider ? p.start() : undefined)));
    },
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
    },
  };
}
