/**
 * What every model backend offers the pipeline. A provider owns its connections or loaded weights;
 * the pipeline only ever sees chat completions and chunks in OpenAI's shapes.
 */
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ChatCompletionRequest, ChatMessage } from "../api/chat-request.js";
import type { Location, ModelEntry } from "../models/registry.js";
import type { CloudSafeRequest } from "../pii/index.js";

export type { ChatCompletion, ChatCompletionChunk };

export type ProviderState = "ready" | "loading" | "unavailable";

export interface ProviderStatus {
  state: ProviderState;
  /** Why the provider is not ready, or what it serves. */
  detail: string;
  /** Requests waiting for capacity (local providers). */
  queueDepth?: number;
  /** Requests being generated now (local providers). */
  active?: number;
}

export interface GenerationInput<R extends ChatCompletionRequest = ChatCompletionRequest> {
  model: ModelEntry;
  request: R;
  signal: AbortSignal;
  /**
   * Called once when the model starts on this request: after a local model's queue wait, as a cloud
   * request is sent. Usage prices a local model's time from here, so waiting is not billed as work.
   * `promptTokens`: the prompt as the model evaluates it, when the provider knows it at the start (the
   * in-process model); usage records it for an answer the client left before the model reported usage.
   */
  onStart?(promptTokens?: number): void;
  /** Whose request it is: the in-process model reuses a sequence's evaluated prompt for that tenant only. */
  tenant?: string;
}

/**
 * A stream that has started: the provider has accepted the request, and a server has sent its first
 * event (so a failure before this point can still fall back), and iterating yields the answer. Stopping iteration early (`return()`)
 * aborts the generation or upstream request.
 */
export type ChunkStream = AsyncIterable<ChatCompletionChunk>;

export interface ChatProvider<R extends ChatCompletionRequest = ChatCompletionRequest> {
  readonly id: string;
  readonly location: Location;
  status(model?: ModelEntry): ProviderStatus;
  complete(input: GenerationInput<R>): Promise<ChatCompletion>;
  stream(input: GenerationInput<R>): Promise<ChunkStream>;
  /**
   * The window the model really runs with, where the provider knows it: a local runtime caps
   * `context_window` (4,096 unless set) at what the GGUF was trained on.
   */
  contextWindow?(model: ModelEntry): number | undefined;
  /** Exact prompt-token count with the model's tokenizer, where the provider has one loaded. */
  countTokens?(model: ModelEntry, text: string): number | undefined;
  /** Prompt tokens one message costs in the prompt the model is given, its turn's framing included (never fewer). */
  countMessageTokens?(model: ModelEntry, message: ChatMessage): number | undefined;
  /** A count `countMessageTokens` never exceeds, or undefined when there is no cheap one. */
  messageTokensAtMost?(model: ModelEntry, message: ChatMessage): number | undefined;
  /** Prompt tokens besides the messages' own (a chat template's opening and answer turn), where measured. */
  promptOverheadTokens?(model: ModelEntry): number | undefined;
  /** Exact prompt tokens of the whole request as the model is given it, where the provider renders the prompt itself. */
  countPromptTokens?(model: ModelEntry, request: ChatCompletionRequest): number | undefined;
  close(): Promise<void>;
}

/**
 * A provider beyond the host: it accepts only requests the PII stage produced for the cloud, so a
 * code path that forgets to sanitize does not compile.
 */
export type EgressProvider = ChatProvider<CloudSafeRequest> & { readonly location: "cloud" };
export type OnHostProvider = ChatProvider<ChatCompletionRequest> & { readonly location: "local" };

export type RoutedProvider = { location: "local"; provider: OnHostProvider } | { location: "cloud"; provider: EgressProvider };
