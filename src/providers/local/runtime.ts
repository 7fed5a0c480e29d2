/**
 * One GGUF model loaded in-process: its context sequences (one per concurrent request), the chat
 * template (if the model has one) and generation with OpenAI's sampling parameters.
 */
import { randomInt } from "node:crypto";
import {
  LlamaChat,
  LlamaCompletion,
  LlamaVocabularyType,
  readGgufFileInfo,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { requestedMaxTokens, type ChatCompletionRequest } from "../../api/chat-request.js";
import type { LlamaCppProviderConfig } from "../../config/models-schema.js";
import { GatewayError, invalidRequest, unavailable } from "../../errors.js";
import type { ModelEntry } from "../../models/registry.js";
import { GrammarCache } from "./grammar-cache.js";
import { plainFraming, templateFraming, type MessageFraming } from "./message-framing.js";
import { renderPlainPrompt, toChatHistory } from "./prompt.js";
import { repeatPenalty } from "./repeat-penalty.js";
import { SequencePool } from "./sequence-pool.js";
import { StopMatcher } from "./stop-matcher.js";

export type FinishReason = "stop" | "length";

export interface LocalGenerationResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

/** Called once the request holds a sequence and its prompt is counted, before the first token. */
export interface GenerationHooks {
  onStart?(promptTokens: number): void;
  onText?(text: string): void;
}

interface Slot {
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
  chat: LlamaChat | undefined;
  /** The tenant whose request the sequence last evaluated (`forOwner`); undefined: none yet. */
  owner?: string | undefined;
}

/** Large arrays of the GGUF header that the training context does not need. */
const TOKENIZER_KEYS = ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"];

/**
 * The context the GGUF was trained on (llama.cpp's `n_ctx_train`, which `load` caps `context_window`
 * at), read from the file's header without loading the weights, so routing can know the window before
 * the model is up. Undefined when the header does not say or cannot be read: loading reports that.
 */
export async function trainedContextSize(path: string): Promise<number | undefined> {
  try {
    const info = await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false, ignoreKeys: TOKENIZER_KEYS });
    const size = info.architectureMetadata?.context_length;
    return typeof size === "number" && size > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

export class LocalModelRuntime {
  readonly pool: SequencePool<Slot>;
  /**
   * Aborted by `dispose`: generations end, as failures, before their context goes away (disposed
   * under a running generation, node-llama-cpp throws where no one catches it and never settles).
   */
  private readonly closing = new AbortController();
  /**
   * Running generations and the controller that ends each one. `dispose` aborts them one by one: a
   * long-lived signal passed to AbortSignal.any keeps an entry per dependent signal on Node 20, so
   * joining `closing` into every generation's signal would grow the heap for the runtime's lifetime.
   */
  private readonly running = new Map<Promise<unknown>, AbortController>();

  private constructor(
    readonly entry: ModelEntry,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper | undefined,
    private readonly grammars: GrammarCache,
    private readonly config: LlamaCppProviderConfig,
    /** What a message costs in this model's prompt, for trimming a conversation to its window. */
    readonly framing: MessageFraming,
  ) {
    const slots: Slot[] = [];
    for (let i = 0; i < context.totalSequences; i++) {
      const sequence = context.getSequence();
      slots.push({
        sequence,
        completion: new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false }),
        chat: chatWrapper ? new LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false }) : undefined,
      });
    }
    this.pool = new SequencePool(slots, { maxQueue: config.queue, queueTimeoutMs: config.queue_timeout_ms, name: entry.id });
  }

  /** `signal` cuts a load in progress short (the gateway shutting down): it then rejects. */
  static async load(llama: Llama, entry: ModelEntry, config: LlamaCppProviderConfig, threads: number, signal?: AbortSignal): Promise<LocalModelRuntime> {
    if (!entry.path) throw new Error(`model '${entry.id}' has no GGUF path`);
    const model = await llama.loadModel({ modelPath: entry.path, ...(signal ? { loadSignal: signal } : {}) });
    try {
      const context = await model.createContext({
        contextSize: Math.min(entry.contextWindow, model.trainContextSize),
        sequences: config.parallel,
        threads,
        ...(signal ? { createSignal: signal } : {}),
      });
      const hasTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === "string";
      const chatWrapper = hasTemplate ? resolveChatWrapper(model) : undefined;
      const framing = chatWrapper ? templateFraming(model, chatWrapper) : plainFraming(model);
      return new LocalModelRuntime(entry, model, context, chatWrapper, new GrammarCache(llama), config, framing);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  get usesChatTemplate(): boolean {
    return this.chatWrapper !== undefined;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  /** The prompt tokens `generate` would evaluate for this request: its messages as the model is given them. */
  promptTokens(request: ChatCompletionRequest): number {
    return this.preparePrompt(request).tokens;
  }

  /** `tenant`: whose request it is (`forOwner`); requests without one share a sequence's state. */
  async generate(request: ChatCompletionRequest, signal: AbortSignal, hooks: GenerationHooks = {}, tenant?: string): Promise<LocalGenerationResult> {
    const prompt = this.preparePrompt(request);
    if (prompt.tokens >= this.contextSize) {
      throw new GatewayError(
        `This model's context window is ${this.contextSize} tokens, but the messages take ${prompt.tokens}.`,
        { status: 400, type: "invalid_request_error", code: "context_length_exceeded", param: "messages" },
      );
    }
    const maxTokens = Math.min(requestedMaxTokens(request) ?? this.entry.maxOutputTokens, this.contextSize - prompt.tokens);
    const penalty = repeatPenalty(request, maxTokens);
    const grammar = await this.grammars.forResponseFormat(request.response_format);
    const stop = request.stop == null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop;

    // A free slot is handed out without looking at the signal: a client gone by now gets no generation.
    signal.throwIfAborted();
    const slot = await this.pool.acquire(signal, (free) => continuedSlot(free, tenant, prompt.evaluated));
    try {
      // Emptying a sequence waits for the context, which another sequence may hold: shutdown may have
      // begun meanwhile, and its `dispose` has not seen this generation, so it must not start.
      this.closing.signal.throwIfAborted();
      await forOwner(slot, tenant);
      this.closing.signal.throwIfAborted();
    } catch (error) {
      this.pool.release(slot);
      throw this.closing.signal.aborted ? this.closing.signal.reason : error;
    }
    const stopMatcher = new StopMatcher([...stop, ...prompt.stopTriggers]);
    // Ends generation early on a stop string without treating it as a client abort.
    const stopGeneration = new AbortController();
    const generationSignal = AbortSignal.any([signal, stopGeneration.signal]);
    let completionTokens = 0;
    let text = "";
    const emit = (chunk: string) => {
      if (chunk.length === 0) return;
      text += chunk;
      hooks.onText?.(chunk);
    };
    try {
      hooks.onStart?.(prompt.tokens);
      const options = {
        signal: generationSignal,
        stopOnAbortSignal: true,
        maxTokens,
        temperature: request.temperature ?? 1,
        // OpenAI's default top_p. Left out, node-llama-cpp would take 0.95, before the temperature: at
        // temperature 2, stories260K wrote the same first token for 300 seeds out of 300. Top-k is the
        // provider's `top_k` (0: none, as OpenAI; llama.cpp sorts the whole vocabulary for each token then).
        topP: request.top_p ?? 1,
        topK: this.config.top_k,
        seed: samplerSeed(request.seed),
        ...(penalty ? { repeatPenalty: penalty } : {}),
        grammar,
        // The prompt is checked against the window above and maxTokens leaves it room, so no shift is
        // ever needed; node-llama-cpp's default reserve (a tenth of the window) would otherwise cut
        // the start of a prompt that fits, silently.
        contextShiftSize: 1,
        onToken: (tokens: readonly unknown[]) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (chunk: string) => {
          emit(stopMatcher.push(chunk));
          if (stopMatcher.stopped) stopGeneration.abort();
        },
      };
      const generating = slot.chat && prompt.history
        ? slot.chat.generateResponse(prompt.history, options)
        : slot.completion.generateCompletionWithMeta(prompt.input ?? [], options);
      this.running.set(generating, stopGeneration);
      const result = await generating.finally(() => this.running.delete(generating));
      signal.throwIfAborted();
      // Cut short by shutdown: not an answer that looks complete.
      this.closing.signal.throwIfAborted();
      emit(stopMatcher.flush());
      const finishReason: FinishReason = result.metadata.stopReason === "maxTokens" && !stopMatcher.stopped ? "length" : "stop";
      // Tokens a grammar held back (whitespace it might trim) never reach onToken when max_tokens
      // ends the answer there; they were generated all the same, and usage is what they cost.
      const generated = result.metadata.stopReason === "maxTokens" ? Math.max(completionTokens, maxTokens) : completionTokens;
      return { text, promptTokens: prompt.tokens, completionTokens: generated, finishReason };
    } finally {
      this.pool.release(slot);
    }
  }

  private preparePrompt(request: ChatCompletionRequest) {
    if (this.chatWrapper) {
      // An empty model turn at the end, always: node-llama-cpp continues a history's last model
      // response, but an OpenAI conversation that ends with an assistant message gets a new one.
      const history: ChatHistoryItem[] = [...toChatHistory(request.messages), { type: "model", response: [] }];
      const state = this.chatWrapper.generateContextState({ chatHistory: history });
      const evaluated = state.contextText.tokenize(this.model.tokenizer);
      return { history, input: undefined, stopTriggers: [] as string[], tokens: evaluated.length, evaluated };
    }
    const plain = renderPlainPrompt(request.messages);
    const beginning = beginningToken(this.model);
    // An empty message is answered, as OpenAI and a chat template answer it: a model that opens its
    // input with a beginning token writes from that token alone. Without one there is nothing to evaluate.
    if (plain.text.length === 0 && beginning === null) throw invalidRequest("The messages contain no text for the model to continue.", "messages");
    // Tokenized here once, the way LlamaCompletion would tokenize the text itself, and handed over
    // as tokens: the count is then exactly what is evaluated, and the text is not tokenized twice.
    const input = this.model.tokenize(plain.text, false, beginning === null ? undefined : "trimLeadingSpace");
    const evaluated = beginning === null ? input : [beginning, ...input];
    return { history: undefined, input, stopTriggers: plain.stopTriggers, tokens: evaluated.length, evaluated };
  }

  async dispose(): Promise<void> {
    this.closing.abort(unavailable(`The local model '${this.entry.id}' was unloaded (the gateway is shutting down).`, "model_unavailable"));
    for (const stop of this.running.values()) stop.abort();
    await Promise.allSettled(this.running.keys());
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * The token LlamaCompletion puts before its input (node-llama-cpp's resolveBeginningTokenToPrepend,
 * which it does not export): none for RWKV and UGM vocabularies, BOS for WPM, else BOS when the
 * model asks for it.
 */
function beginningToken(model: LlamaModel): Token | null {
  switch (model.vocabularyType) {
    case LlamaVocabularyType.rwkv:
    case LlamaVocabularyType.ugm:
      return null;
    case LlamaVocabularyType.wpm:
      return model.tokens.bos;
    default:
      return model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  }
}

/**
 * The sampler's 32-bit seed. Without one, node-llama-cpp seeds from the clock's second, so every
 * request in the same second would sample the same "random" answer: each gets its own instead. A
 * client's seed (OpenAI's is a 64-bit integer) is taken modulo 2³², so -1 is not clamped to 0.
 */
function samplerSeed(seed: number | null | undefined): number {
  if (seed == null) return randomInt(0, 2 ** 32);
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

/**
 * The free sequence a request is given (an index into `free`, freed longest ago first). node-llama-cpp
 * skips the start of a prompt its sequence already evaluated, so a conversation's next turn is answered
 * sooner on the sequence that served its last one, which the pool's default (the one freed last) is not
 * once conversations interleave. Chosen as llama.cpp's server chooses its slots: the tenant's sequence
 * whose state the prompt continues furthest, when it continues at least half of it (less, such as a
 * shared system prompt alone, would throw away another conversation's state to save little); else the
 * sequence freed longest ago, the least likely to be continued.
 */
function continuedSlot(free: readonly Slot[], tenant: string | undefined, prompt: Token[]): number {
  let chosen = 0;
  let longest = 0;
  free.forEach((slot, index) => {
    if (slot.owner !== tenant) return;
    // Compared in place: `contextTokens` would copy each sequence's state (up to its window) per request.
    const held = slot.sequence.nextTokenIndex;
    const shared = slot.sequence.compareContextTokens(prompt).firstDifferentIndex;
    if (shared > longest && shared * 2 >= held) {
      chosen = index;
      longest = shared;
    }
  });
  return chosen;
}

/**
 * Makes `slot` `tenant`'s. node-llama-cpp keeps what a sequence evaluated and skips the start of the
 * next prompt that matches it, so a prompt beginning like the one before it is answered sooner: handed
 * to another tenant as it was, a sequence would let that tenant time guesses at the last one's prompt.
 * So it is emptied first, while a tenant's own next turn (its conversation so far) is not evaluated again.
 */
async function forOwner(slot: Slot, tenant: string | undefined): Promise<void> {
  if (slot.owner === tenant) return;
  await slot.sequence.clearHistory();
  slot.owner = tenant;
}
