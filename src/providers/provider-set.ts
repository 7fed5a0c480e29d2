/**
 * Builds one provider per entry in `models.yaml`'s `providers` and finds the one serving a model.
 * This is where the egress chokepoint is typed: a provider located beyond the host is built as an
 * `EgressProvider`, which accepts only `CloudSafeRequest`s from the PII stage.
 */
import type { Logger } from "pino";
import { promptText, type ChatCompletionRequest, type ChatMessage } from "../api/chat-request.js";
import { estimateTokens, MESSAGE_FRAMING_TOKENS } from "../api/token-estimate.js";
import type { GatewayConfig } from "../config/load.js";
import { DEFAULT_POOL_COOLDOWN_MS, type OpenAICompatibleProviderConfig } from "../config/models-schema.js";
import { withContextWindows, type ModelEntry, type ModelRegistry } from "../models/registry.js";
import type { CloudSafeRequest } from "../pii/index.js";
import { OpenAICompatibleProvider } from "./cloud/openai-provider.js";
import { createServerPool, type PoolServerState, type ServerPool } from "./cloud/server-pool.js";
import { LlamaCppProvider } from "./local/llama-provider.js";
import { trainedContextSize } from "./local/runtime.js";
import type { ChatProvider, EgressProvider, OnHostProvider, ProviderStatus, RoutedProvider } from "./types.js";
import { credentialsFrom, unconfiguredProviders } from "./unconfigured.js";

export interface ProviderSet {
  readonly all: readonly ChatProvider<never>[];
  forModel(model: ModelEntry): RoutedProvider;
  /** The window `model` runs with: its runtime's when loaded in-process, else `context_window`. */
  contextWindow(model: ModelEntry): number;
  /** Prompt tokens of `text` for `model`: its tokenizer when loaded in-process, else an estimate. */
  countTokens(model: ModelEntry, text: string): number;
  /**
   * Prompt tokens one message costs `model`, with its turn framing. In-process models count it as
   * their runtime renders it (`Role: text` and a blank line, or their chat template's turn markers),
   * so a conversation trimmed to fit really fits.
   */
  countMessageTokens(model: ModelEntry, message: ChatMessage): number;
  /** A cheap count `countMessageTokens` never exceeds (what `fitToBudget` checks first), if the model has one. */
  messageTokensAtMost(model: ModelEntry, message: ChatMessage): number | undefined;
  /** Prompt tokens `model` adds besides the messages' (a chat template's opening and answer turn); 0 when not measured. */
  promptOverheadTokens(model: ModelEntry): number;
  /**
   * Exact prompt tokens of `request` for `model`, where its runtime renders the prompt in-process;
   * undefined otherwise. Dearer than the per-message counts (the whole prompt is rendered and
   * tokenized), so asked only to settle a request the per-message counts would refuse.
   */
  exactPromptTokens(model: ModelEntry, request: ChatCompletionRequest): number | undefined;
  /**
   * Providers that cannot be called at all (an API key whose variable is unset), by id: why. Fixed at
   * start-up, as the keys are; undefined when every provider can be called.
   */
  readonly unconfigured: Readonly<Record<string, string>> | undefined;
  /** Requests waiting for in-process local models, per provider id. */
  localQueueDepths(): Record<string, number>;
  /** The servers of each provider that is a pool (`base_urls`), per provider id. */
  poolServers(): Record<string, PoolServerState[]>;
  /** Starts background work such as loading local models. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ProviderSetOptions {
  /** Replaces the global fetch of OpenAI-compatible providers. */
  fetch?: typeof fetch;
  /** The clock (ms) of server pools' cool-downs; tests move it instead of waiting. */
  poolClock?: () => number;
}

/** The schema lets an `openai_compatible` provider have `base_url` or `base_urls`, never neither. */
function singleBaseURL(provider: OpenAICompatibleProviderConfig): string {
  if (provider.base_url === undefined) throw new Error("an openai_compatible provider without base_url or base_urls");
  return provider.base_url;
}

/**
 * The registry with each in-process model's `context_window` capped at what its GGUF was trained on,
 * as its runtime will cap it: routing, trimming and the registry then all use the window the model
 * really has. A cap is logged, since models.yaml's number (4,096 unless set) is then not in effect.
 */
export async function withRuntimeContextWindows(config: GatewayConfig, log: Logger): Promise<ModelRegistry> {
  const windows = new Map<string, number>();
  await Promise.all(
    [...config.registry.models.values()].map(async (model) => {
      if (config.providers[model.providerId]?.type !== "llama_cpp" || model.path === undefined) return;
      const trained = await trainedContextSize(model.path);
      if (trained === undefined || trained >= model.contextWindow) return;
      windows.set(model.id, trained);
      log.warn(
        { model: model.id, configured: model.contextWindow, trained },
        `context_window ${model.contextWindow} exceeds what the model was trained on; it runs with ${trained}`,
      );
    }),
  );
  return withContextWindows(config.registry, windows);
}

export function createProviderSet(config: GatewayConfig, log: Logger, options: ProviderSetOptions = {}): ProviderSet {
  const routed = new Map<string, RoutedProvider>();
  const llamas: LlamaCppProvider[] = [];
  const pools = new Map<string, ServerPool>();
  const models = [...config.registry.models.values()];
  for (const [id, provider] of Object.entries(config.providers)) {
    if (provider.type === "llama_cpp") {
      const llama = new LlamaCppProvider(id, provider, models.filter((m) => m.providerId === id), log.child({ provider: id }));
      llamas.push(llama);
      routed.set(id, { location: "local", provider: llama });
      continue;
    }
    const pool = provider.base_urls
      ? createServerPool({
          baseURLs: provider.base_urls,
          fetch: options.fetch ?? globalThis.fetch,
          attemptTimeoutMs: provider.timeout_ms,
          cooldownMs: provider.cooldown_ms ?? DEFAULT_POOL_COOLDOWN_MS.first,
          maxCooldownMs: provider.max_cooldown_ms ?? DEFAULT_POOL_COOLDOWN_MS.max,
          ...(options.poolClock ? { now: options.poolClock } : {}),
          onEjected: (event) => log.warn({ provider: id, ...event }, "pool server failed; ejected for its cool-down"),
        })
      : undefined;
    if (pool) pools.set(id, pool);
    const common = {
      id,
      config: provider,
      baseURL: pool?.baseURL ?? singleBaseURL(provider),
      ...credentialsFrom(provider, config.secrets),
      ...(pool ? { fetch: pool.fetch, pool } : options.fetch ? { fetch: options.fetch } : {}),
    };
    if (provider.location === "cloud") {
      routed.set(id, { location: "cloud", provider: new OpenAICompatibleProvider<CloudSafeRequest>(common) as EgressProvider });
    } else {
      routed.set(id, { location: "local", provider: new OpenAICompatibleProvider<ChatCompletionRequest>(common) as OnHostProvider });
    }
  }
  const forModel = (model: ModelEntry): RoutedProvider => {
    const entry = routed.get(model.providerId);
    // The config loader has already checked every model's provider exists.
    if (!entry) throw new Error(`no provider '${model.providerId}' for model '${model.id}'`);
    return entry;
  };
  const all = [...routed.values()].map((r) => r.provider as ChatProvider<never>);
  // Read as `policy explain` reads it, and as each provider reports it (`missingApiKey`).
  const unconfigured = unconfiguredProviders(config.providers, config.secrets);
  return {
    all,
    forModel,
    unconfigured,
    contextWindow: (model) => forModel(model).provider.contextWindow?.(model) ?? model.contextWindow,
    countTokens: (model, text) => forModel(model).provider.countTokens?.(model, text) ?? estimateTokens(text),
    countMessageTokens: (model, message) =>
      forModel(model).provider.countMessageTokens?.(model, message) ?? estimateTokens(promptText(message)) + MESSAGE_FRAMING_TOKENS,
    // An estimate is as cheap as any bound: nothing to gain for models without a tokenizer here.
    messageTokensAtMost: (model, message) => forModel(model).provider.messageTokensAtMost?.(model, message),
    promptOverheadTokens: (model) => forModel(model).provider.promptOverheadTokens?.(model) ?? 0,
    exactPromptTokens: (model, request) => forModel(model).provider.countPromptTokens?.(model, request),
    localQueueDepths() {
      const depths: Record<string, number> = {};
      for (const llama of llamas) depths[llama.id] = (llama.status() as ProviderStatus).queueDepth ?? 0;
      return depths;
    },
    poolServers: () => Object.fromEntries([...pools].map(([id, pool]) => [id, pool.servers()])),
    async start() {
      await Promise.all(llamas.map((l) => l.start()));
    },
    async close() {
      await Promise.all(all.map((p) => p.close()));
    },
  };
}
