/**
 * The in-process local route: GGUF models run by llama.cpp through node-llama-cpp. Models load in
 * the background at start-up so the gateway answers health checks (and cloud requests) at once.
 */
import { availableParallelism } from "node:os";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { Logger } from "pino";
import {
  chatCompletion,
  contentChunk,
  finishChunk,
  newCompletionId,
  usage,
  usageChunk,
  type CompletionHead,
} from "../../api/completion-format.js";
import type { ChatCompletionRequest, ChatMessage } from "../../api/chat-request.js";
import type { LlamaCppProviderConfig } from "../../config/models-schema.js";
import { unavailable } from "../../errors.js";
import type { ModelEntry } from "../../models/registry.js";
import type { ChatCompletion, ChatCompletionChunk, ChatProvider, ChunkStream, GenerationInput, ProviderStatus } from "../types.js";
import { Channel } from "./channel.js";
import { LocalModelRuntime } from "./runtime.js";

type ModelState =
  | { state: "loading" }
  | { state: "ready"; runtime: LocalModelRuntime }
  | { state: "unavailable"; reason: string };

/**
 * One thread per core but one: llama.cpp busy-waits between steps, so using every core (or more, its
 * default) starves the event loop and, on small machines, makes generation an order of magnitude slower.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

export class LlamaCppProvider implements ChatProvider {
  readonly location = "local" as const;
  private readonly states = new Map<string, ModelState>();
  private llama: Llama | undefined;
  private loading: Promise<void> | undefined;
  /** Aborted by `close()`: a shutdown during start-up stops loading models instead of waiting for all of them. */
  private readonly closing = new AbortController();

  constructor(
    readonly id: string,
    private readonly config: LlamaCppProviderConfig,
    private readonly models: readonly ModelEntry[],
    private readonly log: Logger,
  ) {
    for (const model of models) this.states.set(model.id, { state: "loading" });
  }

  /** Loads every model; resolves when all have loaded or failed (failures are states, not throws). */
  start(): Promise<void> {
    this.loading ??= this.loadAll();
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    try {
      // build: "never" — a missing prebuilt binary must be an error here, never a download or a compile.
      this.llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    } catch (error) {
      const reason = `llama.cpp runtime unavailable: ${(error as Error).message}`;
      for (const model of this.models) this.states.set(model.id, { state: "unavailable", reason });
      this.log.error({ err: error }, reason);
      return;
    }
    const threads = this.config.threads ?? defaultThreads();
    for (const model of this.models) {
      if (this.closing.signal.aborted) {
        this.states.set(model.id, SHUT_DOWN);
        continue;
      }
      const startedAt = performance.now();
      try {
        const runtime = await LocalModelRuntime.load(this.llama, model, this.config, threads, this.closing.signal);
        if (this.closing.signal.aborted) {
          // Loaded as the shutdown began: unloaded at once, not kept for requests that will not come.
          await runtime.dispose();
          this.states.set(model.id, SHUT_DOWN);
          continue;
        }
        this.states.set(model.id, { state: "ready", runtime });
        this.log.info(
          { model: model.id, path: model.path, contextSize: runtime.contextSize, sequences: this.config.parallel, threads, chatTemplate: runtime.usesChatTemplate, ms: Math.round(performance.now() - startedAt) },
          "local model loaded",
        );
      } catch (error) {
        if (this.closing.signal.aborted) {
          this.states.set(model.id, SHUT_DOWN);
          this.log.info({ model: model.id }, "local model load stopped: the gateway is shutting down");
          continue;
        }
        const reason = `failed to load ${model.path ?? "(no path)"}: ${(error as Error).message}`;
        this.states.set(model.id, { state: "unavailable", reason });
        this.log.error({ model: model.id }, reason);
      }
    }
  }

  status(model?: ModelEntry): ProviderStatus {
    const entries = model ? [model] : this.models;
    const states = entries.map((m) => ({ id: m.id, s: this.states.get(m.id) ?? { state: "unavailable" as const, reason: "not configured" } }));
    let queueDepth = 0;
    let active = 0;
    for (const { s } of states) {
      if (s.state !== "ready") continue;
      queueDepth += s.runtime.pool.queueDepth;
      active += this.config.parallel - s.runtime.pool.available;
    }
    const worst = states.find(({ s }) => s.state === "unavailable") ?? states.find(({ s }) => s.state === "loading");
    if (!worst) return { state: "ready", detail: states.map(({ id }) => `${id} loaded`).join(", "), queueDepth, active };
    const detail = worst.s.state === "unavailable" ? `${worst.id}: ${worst.s.reason}` : `${worst.id}: loading`;
    return { state: worst.s.state, detail, queueDepth, active };
  }

  contextWindow(model: ModelEntry): number | undefined {
    const state = this.states.get(model.id);
    return state?.state === "ready" ? state.runtime.contextSize : undefined;
  }

  countTokens(model: ModelEntry, text: string): number | undefined {
    return this.loaded(model)?.countTokens(text);
  }

  countMessageTokens(model: ModelEntry, message: ChatMessage): number | undefined {
    return this.loaded(model)?.framing.messageTokens(message);
  }

  messageTokensAtMost(model: ModelEntry, message: ChatMessage): number | undefined {
    return this.loaded(model)?.framing.messageTokensAtMost(message);
  }

  promptOverheadTokens(model: ModelEntry): number | undefined {
    return this.loaded(model)?.framing.promptTokens;
  }

  countPromptTokens(model: ModelEntry, request: ChatCompletionRequest): number | undefined {
    return this.loaded(model)?.promptTokens(request);
  }

  private loaded(model: ModelEntry): LocalModelRuntime | undefined {
    const state = this.states.get(model.id);
    return state?.state === "ready" ? state.runtime : undefined;
  }

  private runtimeFor(model: ModelEntry): LocalModelRuntime {
    const state = this.states.get(model.id);
    if (state?.state === "ready") return state.runtime;
    if (state?.state === "loading") throw unavailable(`The local model '${model.id}' is still loading.`, "model_loading");
    throw unavailable(`The local model '${model.id}' is unavailable: ${state?.reason ?? "not configured"}.`, "model_unavailable");
  }

  async complete({ model, request, signal, onStart, tenant }: GenerationInput): Promise<ChatCompletion> {
    const runtime = this.runtimeFor(model);
    const head = newHead(model);
    const result = await runtime.generate(request, signal, { onStart }, tenant);
    return chatCompletion(head, result.text, result.finishReason, usage(result.promptTokens, result.completionTokens));
  }

  /**
   * Resolves once the request holds a sequence (so an overloaded model fails before any byte is
   * sent and the router can still fall back); chunks then flow token by token.
   */
  async stream({ model, request, signal, onStart, tenant }: GenerationInput): Promise<ChunkStream> {
    const runtime = this.runtimeFor(model);
    // The signal is relayed by its abort event, which a client gone before now will not fire again.
    signal.throwIfAborted();
    const head = newHead(model);
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const channel = new Channel<ChatCompletionChunk>(() => abort.abort(new Error("stream consumer stopped")));
    let markStarted!: () => void;
    let failStart!: (error: unknown) => void;
    const started = new Promise<void>((resolve, reject) => {
      markStarted = resolve;
      failStart = reject;
    });
    // The role rides on the first token's chunk (a chunk of its own would be a frame and a socket
    // write before the first token); an answer without text still opens with it.
    let roleSent = false;
    const delta = (content: string) => {
      if (roleSent) return { content };
      roleSent = true;
      return { role: "assistant" as const, content };
    };
    runtime
      .generate(request, abort.signal, {
        onStart: (promptTokens) => {
          onStart?.(promptTokens);
          markStarted();
        },
        onText: (text) => channel.push(contentChunk(head, delta(text))),
      }, tenant)
      .then(
        (result) => {
          if (!roleSent) channel.push(contentChunk(head, delta("")));
          channel.push(finishChunk(head, result.finishReason));
          channel.push(usageChunk(head, usage(result.promptTokens, result.completionTokens)));
          channel.close();
        },
        (error: unknown) => {
          failStart(error);
          channel.fail(error);
        },
      )
      .finally(() => signal.removeEventListener("abort", onAbort));
    await started;
    // What the caller does next (response headers, the consumer loop) would otherwise run in the
    // microtasks before node-llama-cpp dispatches the prompt's decode from a setImmediate, delaying
    // the first token; two turns later it runs while the native thread decodes.
    await nextLoopTurn();
    await nextLoopTurn();
    return channel;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.loading;
    for (const state of this.states.values()) {
      if (state.state === "ready") await state.runtime.dispose();
    }
    this.states.clear();
    await this.llama?.dispose();
  }
}

/** A model left unloaded because the gateway began shutting down before or while it loaded. */
const SHUT_DOWN: ModelState = { state: "unavailable", reason: "the gateway is shutting down" };

const nextLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function newHead(model: ModelEntry): CompletionHead {
  return { id: newCompletionId(), created: Math.floor(Date.now() / 1000), model: model.id };
}
