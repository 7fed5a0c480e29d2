/**
 * Any OpenAI-compatible API (OpenAI, Azure-style proxies, vLLM, a llama.cpp server pool) through the
 * official `openai` SDK, which already retries 429/5xx/connection errors with jittered backoff and
 * honours `Retry-After`; the gateway bounds the retries and the time per attempt.
 */
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { OpenAICompatibleProviderConfig } from "../../config/models-schema.js";
import { unavailable } from "../../errors.js";
import type { ModelEntry } from "../../models/registry.js";
import type { ChatCompletionRequest } from "../../api/chat-request.js";
import type { ChatCompletion, ChatProvider, ChunkStream, GenerationInput, ProviderStatus } from "../types.js";
import { mapUpstreamError } from "./upstream-errors.js";

export interface OpenAICompatibleOptions {
  id: string;
  config: OpenAICompatibleProviderConfig;
  baseURL: string;
  /** `undefined` when the key's env var is declared but unset: the provider then reports unavailable. */
  apiKey: string | undefined;
  keyRequired: boolean;
  fetch?: typeof fetch;
}

/**
 * `R` is what the provider accepts: `CloudSafeRequest` for providers beyond the host (the provider set
 * builds those), any request for on-host servers.
 */
export class OpenAICompatibleProvider<R extends ChatCompletionRequest> implements ChatProvider<R> {
  readonly id: string;
  readonly location: "local" | "cloud";
  private readonly client: OpenAI | undefined;
  private readonly missing: string | undefined;

  constructor(private readonly options: OpenAICompatibleOptions) {
    this.id = options.id;
    this.location = options.config.location;
    if (options.keyRequired && !options.apiKey) {
      this.missing = `${options.config.api_key_env} is not set`;
      return;
    }
    this.client = new OpenAI({
      // Keyless servers (a local llama.cpp pool) still get a syntactically valid bearer token.
      apiKey: options.apiKey ?? "none",
      baseURL: options.baseURL,
      timeout: options.config.timeout_ms,
      maxRetries: options.config.max_retries,
      defaultHeaders: options.config.headers,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  status(): ProviderStatus {
    if (this.missing) return { state: "unavailable", detail: this.missing };
    return { state: "ready", detail: this.options.baseURL };
  }

  private api(): OpenAI {
    if (!this.client) throw unavailable(`The provider '${this.id}' is not configured: ${this.missing}.`, "provider_not_configured");
    return this.client;
  }

  async complete({ model, request, signal }: GenerationInput<R>): Promise<ChatCompletion> {
    const client = this.api();
    const body = { ...request, model: model.upstreamModel, stream: false } as ChatCompletionCreateParamsNonStreaming;
    try {
      return await client.chat.completions.create(body, { signal });
    } catch (error) {
      throw mapUpstreamError(error, this.id);
    }
  }

  /** Resolves when the upstream has answered with a streaming 200, so failures before the first byte can fall back. */
  async stream({ model, request, signal }: GenerationInput<R>): Promise<ChunkStream> {
    const client = this.api();
    // Always ask for usage: the gateway accounts tokens even when the client did not ask to see them.
    const body = {
      ...request,
      model: model.upstreamModel,
      stream: true,
      stream_options: { ...request.stream_options, include_usage: true },
    } as ChatCompletionCreateParamsStreaming;
    let upstream;
    try {
      upstream = await client.chat.completions.create(body, { signal });
    } catch (error) {
      throw mapUpstreamError(error, this.id);
    }
    const providerId = this.id;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* upstream;
        } catch (error) {
          throw mapUpstreamError(error, providerId);
        } finally {
          // Ends the upstream HTTP request when the client stops reading early.
          upstream.controller.abort();
        }
      },
    };
  }

  async close(): Promise<void> {}
}
