/**
 * Stage 6: the answer on its way back. Placeholders the PII stage put in the request are restored
 * (also when a placeholder is split across stream chunks, in a reasoning model's thinking, inside
 * tool-call arguments, custom tool-call inputs and the deprecated `function_call`'s arguments); the
 * assistant message and token usage are collected for the conversation store and usage records.
 */
import { FunctionCallSchema, hasVendorFields, TOOL_CALL_FIELDS, ToolCallSchema, vendorFieldNames, toolCallParts, toolDefinitionTexts, type ChatCompletionRequest, type ChatMessage, type ToolCall, type ToolCallShape } from "../../api/chat-request.js";
import { usageChunk } from "../../api/completion-format.js";
import { createStreamRestorer, restore, restoreToolCall, type PseudonymVault, type StreamRestorer } from "../../pii/index.js";
import type { ChatCompletion, ChatCompletionChunk, ChunkStream } from "../../providers/types.js";

export interface AnswerSummary {
  message: ChatMessage | undefined;
  promptTokens: number;
  /** Of `promptTokens`, those the upstream reports as served from its prompt cache (they are billed at a discount). */
  cachedPromptTokens: number;
  completionTokens: number;
  /**
   * Whether the token counts were reported: by the provider, or by the gateway's own usage chunk at
   * the end of a stream that had none (`countTokens`). False when the answer ended without them (the
   * client left mid-stream, the stream failed): they are then estimated (`withTokens`).
   */
  usageReported: boolean;
  /** Milliseconds from the request's start to the first answer (text or a call's first piece), for streams. */
  ttftMs: number | undefined;
  /**
   * A reasoning model's thinking as the upstream wrote it (`reasoning_content`, `reasoning`): not part of
   * the stored turn, but billed as output tokens, so the gateway's own count (`withTokens`) includes it.
   */
  reasoning?: string;
  /**
   * The answer's texts as the model wrote them (`answerTexts`: content and refusal, then each call's
   * name and input), set for a whole answer and for a stream whose placeholders were restored: the
   * upstream billed the placeholders, not the values the client got, and a call the session does not
   * keep, so the gateway's own count (`withTokens`) reads these instead of `message`.
   */
  written?: string[];
}

/**
 * Whether the answer's content is JSON (`response_format` json_object or json_schema): a value is then
 * restored as JSON string content, so a line break or backslash in it leaves the JSON valid.
 */
export function answersInJson(request: Pick<ChatCompletionRequest, "response_format">): boolean {
  const format = request.response_format?.type;
  return format === "json_object" || format === "json_schema";
}

/**
 * Where reasoning models behind OpenAI-compatible servers put their thinking, beside `content`: vLLM,
 * DeepSeek and SGLang `reasoning_content`, OpenRouter and newer vLLM `reasoning`. Clients show it to
 * people, so its placeholders are restored as the content's are; it is not kept in the session.
 */
const REASONING_FIELDS = ["reasoning_content", "reasoning"] as const;
type ReasoningField = (typeof REASONING_FIELDS)[number];

/** Restores placeholders in a whole completion, in place, and summarises it. */
export function presentCompletion(completion: ChatCompletion, vault: PseudonymVault, options: { json?: boolean } = {}): AnswerSummary {
  const choice = completion.choices[0];
  if (!choice) return { message: undefined, ...reportedTokens(completion.usage), ttftMs: undefined };
  const message = choice.message;
  // Each call read once (`readableCall`), by its place in the answer; undefined for one that goes on as it came.
  const readable = message.tool_calls?.map((call) => readableCall(call));
  let functionCall = readableFunctionCall(message.function_call);
  // A call without its `type` (some servers leave it out) goes out with the one its fields show: the
  // official client's stream helper throws on a call without one, and the request schema (as OpenAI's
  // API) refuses it in a history the client sends back. Any other call goes on as it came.
  if (message.tool_calls && readable) message.tool_calls = message.tool_calls.map((call, i) => (readable[i] as AnswerCall | undefined) ?? call);
  // Counted as the model wrote it (placeholders, not the values restored below): that is what it billed.
  const reasoning = reasoningText(message as unknown as Record<string, unknown>);
  // Every readable call's text, a call the session does not keep (no id) included: it was written all the same.
  const written = answerTexts({ ...message, tool_calls: readable?.flatMap((call) => call ?? []), function_call: functionCall });
  let calls = readable?.flatMap((call) => call ?? []);
  if (vault.size > 0) {
    if (typeof message.content === "string") message.content = restore(message.content, vault, { json: options.json === true });
    if (typeof message.refusal === "string") message.refusal = restore(message.refusal, vault);
    const fields = message as unknown as Record<string, unknown>;
    for (const field of REASONING_FIELDS) if (typeof fields[field] === "string") fields[field] = restore(fields[field], vault);
    // A call that is not one of the request schema's has no text we know where to find: it is passed on as it came.
    if (message.tool_calls && readable) {
      message.tool_calls = message.tool_calls.map((call, i) => {
        const read = readable[i];
        return read ? (restoreToolCall(read, vault) as AnswerCall) : call;
      });
      calls = message.tool_calls.filter((_, i) => readable[i]) as ToolCall[];
    }
    // The deprecated single call is a function call without an id: restored the same way.
    if (functionCall) message.function_call = functionCall = restoreToolCall({ type: "function", function: functionCall }, vault).function;
  }
  return {
    // Only the request schema's calls with a string id are kept: the stored turn is read back as a request
    // message, whose calls need one (`hasStringId`).
    message: assistantMessage(message.content ?? "", calls?.filter(hasStringId), functionCall, message.refusal ?? undefined),
    ...reportedTokens(completion.usage),
    ttftMs: undefined,
    ...(reasoning ? { reasoning } : {}),
    written,
  };
}

type AnswerCall = NonNullable<ChatCompletion.Choice["message"]["tool_calls"]>[number];

/**
 * The call with the `type` its fields show (`callKind`) when it came without one, if it is the request
 * schema's tool call but for its id: a function's string name and arguments (a custom call's name and
 * input). Its placeholders are restored and its text counted. Undefined for any other (`{id}`,
 * `{id, function: {name}}`, `{id, type: "function"}`, a kind the SDK does not know yet): it has no name
 * or text to read, so it goes to the client as it came.
 */
function readableCall(call: object): ToolCall | undefined {
  const type = callKind(call as CallPiece);
  if (type === undefined) return undefined;
  const typed = (call as CallPiece).type === type ? call : { ...call, type };
  // A call without a string id is read all the same; only the session needs its id (`hasStringId`).
  return ToolCallSchema.safeParse({ ...typed, id: "" }).success ? (typed as ToolCall) : undefined;
}

/**
 * Whether a readable call (`readableCall`, or one a stream collected) has a string id: the request
 * schema's tool call, kept in the session (whose next request sends it back). The one rule for a whole
 * answer's calls and a stream's.
 */
function hasStringId(call: ToolCall): boolean {
  return typeof call.id === "string";
}

/** The deprecated single call, if it has a string name and arguments; any other goes on as it came, unkept. */
function readableFunctionCall(call: unknown): FunctionCallShape | undefined {
  return FunctionCallSchema.safeParse(call).success ? (call as FunctionCallShape) : undefined;
}

/** What `answerTexts` reads of an answer: the session's assistant message, the SDK's, or one as the model wrote it. */
interface AnswerShape {
  content?: unknown;
  refusal?: string | null;
  tool_calls?: readonly ToolCallShape[] | null;
  function_call?: FunctionCallShape | null;
}

/**
 * The texts of an answer `withTokens` counts, each on its own: the text (content and refusal), then
 * each call's name and model-written text, and the deprecated single call's. Empty ones are left out.
 */
function answerTexts(message: AnswerShape): string[] {
  const texts = [(typeof message.content === "string" ? message.content : "") + (message.refusal ?? "")];
  for (const call of message.tool_calls ?? []) {
    const { name, text } = toolCallParts(call);
    texts.push(name + text);
  }
  if (message.function_call) texts.push(message.function_call.name + message.function_call.arguments);
  return texts.filter((text) => text.length > 0);
}

/**
 * The thinking a message or delta carries. A server that fills both fields with the same text (some
 * vLLM versions) wrote it once: the longer one is taken, not their sum.
 */
function reasoningText(fields: Record<string, unknown>): string {
  let text = "";
  for (const field of REASONING_FIELDS) {
    const value = fields[field];
    if (typeof value === "string" && value.length > text.length) text = value;
  }
  return text;
}

/** The upstream's token counts when it reported them; otherwise the gateway counts them (`withTokens`). */
function reportedTokens(usage: ChatCompletion["usage"]): Pick<AnswerSummary, "promptTokens" | "cachedPromptTokens" | "completionTokens" | "usageReported"> {
  if (!usage || !hasTokenCounts(usage)) return { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, usageReported: false };
  return { promptTokens: usage.prompt_tokens, cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0, completionTokens: completionCount(usage), usageReported: true };
}

/**
 * The completion tokens of a usage that has them. Reasoning tokens are part of them (OpenAI counts and
 * bills the thinking as output); some proxies in front of other vendors report them beside instead
 * (`completion_tokens: 0, reasoning_tokens: 60` for an answer that was all thinking): they are added
 * when the total shows so, or when the completion count is below them and so cannot include them.
 */
function completionCount(usage: NonNullable<ChatCompletion["usage"]>): number {
  const completion = usage.completion_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning !== "number" || !Number.isFinite(reasoning) || reasoning <= 0) return completion;
  const beside = completion < reasoning || usage.total_tokens === usage.prompt_tokens + completion + reasoning;
  return beside ? completion + reasoning : completion;
}

/** Whether a usage object carries both counts: a server may send `{ total_tokens }` alone, which would record an answer as free. */
function hasTokenCounts(usage: { prompt_tokens?: unknown; completion_tokens?: unknown }): boolean {
  const valid = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  return valid(usage.prompt_tokens) && valid(usage.completion_tokens);
}

export interface StreamEnd {
  summary: AnswerSummary;
  /** Why the stream ended early: the error, or `aborted` when the client went away. */
  error?: unknown;
  aborted?: boolean;
  /**
   * Whether a chunk had gone to the consumer. The SSE writers send their 200 with the first frame: a
   * failure before it is answered as the request's error instead of an event.
   */
  firstChunkSent: boolean;
  /**
   * Whether the chunk carrying the answer's `finish_reason` had gone to the consumer (`onAnswered`
   * was called): the answer was whole by then, however the stream ends after it (the usage chunk and
   * `[DONE]` add nothing to it).
   */
  finishSent: boolean;
}

/**
 * Wraps a provider's chunks: restores placeholders, collects the answer and calls `onEnd` exactly
 * once however the stream ends (finished, failed, or stopped by the client).
 */
export function presentStream(chunks: ChunkStream, options: PresentOptions): AsyncGenerator<ChatCompletionChunk> {
  let started = false;
  const generator = presentChunks(chunks, options, () => (started = true));
  // Returning a generator that never started runs none of its body (no finally): a client gone before
  // the first read would leave the provider generating and onEnd (usage, the shutdown's wait) unheard.
  const finish = generator.return.bind(generator);
  generator.return = async (value) => {
    if (!started) {
      started = true;
      try {
        await chunks[Symbol.asyncIterator]().return?.();
      } finally {
        options.onEnd({
          summary: { message: undefined, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, usageReported: false, ttftMs: undefined },
          aborted: true,
          firstChunkSent: false,
          finishSent: false,
        });
      }
    }
    return finish(value);
  };
  return generator;
}

interface PresentOptions {
  vault: PseudonymVault;
  /** The content is JSON (`answersInJson`). */
  json?: boolean;
  startedAt: number;
  /**
   * Called once with the whole answer, just before the chunk carrying its `finish_reason` goes to the
   * consumer: what is sent before it reaches the client before the client can know the answer ended.
   * Not called for a stream that ends without a finish_reason.
   */
  onAnswered?(summary: AnswerSummary): void;
  onEnd(end: StreamEnd): void;
  /**
   * Counts the tokens of an answer that ended without the provider's usage (`withTokens`): they go
   * out as a usage chunk, so a client that asked for one gets it whatever the upstream sent.
   */
  countTokens?(summary: AnswerSummary): AnswerSummary;
}

async function* presentChunks(chunks: ChunkStream, options: PresentOptions, onStart: () => void): AsyncGenerator<ChatCompletionChunk> {
  onStart();
  const restoring = options.vault.size > 0;
  const content = restoring ? createStreamRestorer(options.vault, { json: options.json === true }) : undefined;
  const refusalRestorer = restoring ? createStreamRestorer(options.vault) : undefined;
  const reasoningRestorers = new Map<ReasoningField, StreamRestorer>();
  let refusal: string | undefined;
  const toolArgs = new Map<number, StreamRestorer>();
  let functionCallArgs: StreamRestorer | undefined;
  const calls = new Map<number, ToolCall>();
  /** Indexes of calls of a kind the SDK does not know yet: passed on, neither kept nor counted. */
  const unknownKinds = new Set<number>();
  let functionCall: FunctionCallShape | undefined;
  let text = "";
  let reasoning = "";
  // The answer as the model wrote it, when placeholders are restored in what the client gets.
  const written = restoring ? { content: "", refusal: "", calls: new Map<number, ToolCall>(), functionCall: undefined as FunctionCallShape | undefined } : undefined;
  let promptTokens = 0;
  let cachedPromptTokens = 0;
  let completionTokens = 0;
  let usageReported = false;
  let ttftMs: number | undefined;
  let finished = false;
  let finishSent = false;
  let failure: unknown;
  const summary = (): AnswerSummary => ({
    // Collected calls are readable (their kind set by `emptyCall`, name and text strings whatever the
    // pieces were); an id that is not a string leaves the call out, as a whole answer's.
    message: assistantMessage(text, calls.size > 0 ? [...calls.values()].filter(hasStringId) : undefined, functionCall, refusal),
    promptTokens,
    cachedPromptTokens,
    completionTokens,
    usageReported,
    ttftMs,
    ...(reasoning ? { reasoning } : {}),
    ...(written === undefined
      ? {}
      : { written: answerTexts({ content: written.content, refusal: written.refusal, tool_calls: [...written.calls.values()], function_call: written.functionCall }) }),
  });
  // The gateway's own count as the answer's usage. Counted once: the usage record takes these, as the client does.
  const countedUsage = (count: NonNullable<PresentOptions["countTokens"]>) => {
    ({ promptTokens, completionTokens } = count(summary()));
    cachedPromptTokens = 0;
    usageReported = true;
    return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  };
  // What the restorers still hold, as a chunk for the client, collected into the answer as it goes out.
  const release = (after: ChatCompletionChunk): ChatCompletionChunk | undefined => {
    const held = heldBack(after, { content, refusal: refusalRestorer, reasoning: reasoningRestorers, functionCallArgs }, toolArgs, calls);
    const delta = held?.choices[0]?.delta;
    if (!delta) return undefined;
    text += delta.content ?? "";
    if (delta.refusal) refusal = (refusal ?? "") + delta.refusal;
    for (const call of (delta.tool_calls ?? []) as ToolCallDelta[]) {
      const collected = calls.get(call.index);
      if (collected) appendText(collected, deltaParts(call, collected).text ?? "");
    }
    if (functionCall) functionCall.arguments += delta.function_call?.arguments ?? "";
    return held;
  };
  let last: ChatCompletionChunk | undefined;
  try {
    for await (const chunk of chunks) {
      last = chunk;
      if (chunk.usage && hasTokenCounts(chunk.usage)) {
        promptTokens = chunk.usage.prompt_tokens;
        cachedPromptTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
        completionTokens = completionCount(chunk.usage);
        usageReported = true;
      }
      // Providers complete the shape (`choices`, `delta`); missing parts still read as empty, never as a crash.
      const choice = chunk.choices?.[0];
      if (choice) {
        const delta = choice.delta ?? {};
        // Before its placeholders are restored (and held-back thinking joins the delta): counted as the model wrote it.
        reasoning += reasoningText(delta as Record<string, unknown>);
        if (reasoningRestorers.size > 0) releaseReasoningBefore(delta, reasoningRestorers);
        if (typeof delta.content === "string" && delta.content.length > 0) {
          if (written) written.content += delta.content;
          if (content) delta.content = content.push(delta.content);
          text += delta.content;
        }
        if (restoring) {
          const pieces = delta as Record<string, unknown>;
          for (const field of REASONING_FIELDS) {
            const piece = pieces[field];
            if (typeof piece !== "string" || piece.length === 0) continue;
            let restorer = reasoningRestorers.get(field);
            if (!restorer) reasoningRestorers.set(field, (restorer = createStreamRestorer(options.vault)));
            pieces[field] = restorer.push(piece);
          }
        }
        // A refusal streams under its own field; the session keeps it as the assistant's turn.
        if (typeof delta.refusal === "string" && delta.refusal.length > 0) {
          if (written) written.refusal += delta.refusal;
          if (refusalRestorer) delta.refusal = refusalRestorer.push(delta.refusal);
          refusal = (refusal ?? "") + delta.refusal;
        }
        for (const call of (delta.tool_calls ?? []) as ToolCallDelta[]) {
          let collected = calls.get(call.index);
          // A kind the SDK does not know yet (`knownKind`) is passed on as it came and kept out of the
          // session and the count, as a whole answer's is (`readableCall`): stored, it was an empty function
          // call that the session's next request sent upstream.
          if (!collected && (unknownKinds.has(call.index) || !knownKind(call))) {
            unknownKinds.add(call.index);
            continue;
          }
          if (!collected) {
            calls.set(call.index, (collected = emptyCall(call)));
            // Sent on with the kind it is stored as, as a whole answer's call is (`readableCall`).
            call.type = collected.type;
          }
          if (call.id) collected.id = call.id;
          keepVendorFields(collected, call);
          const { name, text: piece } = deltaParts(call, collected);
          if (name) appendName(collected, name);
          if (written) {
            let writtenCall = written.calls.get(call.index);
            if (!writtenCall) written.calls.set(call.index, (writtenCall = emptyCall(call)));
            if (name) appendName(writtenCall, name);
            if (piece) appendText(writtenCall, piece);
          }
          if (piece) {
            let restored = piece;
            if (restoring) {
              let restorer = toolArgs.get(call.index);
              if (!restorer) toolArgs.set(call.index, (restorer = createStreamRestorer(options.vault, { json: collected.type === "function" })));
              restored = restorer.push(piece);
              if (collected.type === "custom") call.custom!.input = restored;
              else call.function!.arguments = restored;
            }
            appendText(collected, restored);
          }
        }
        // The deprecated single call streams its arguments (JSON, as a function call's) under `function_call`.
        const callPiece = delta.function_call;
        if (callPiece) {
          if (written) {
            written.functionCall ??= { name: "", arguments: "" };
            written.functionCall.name += callPiece.name ?? "";
            written.functionCall.arguments += callPiece.arguments ?? "";
          }
          if (restoring && callPiece.arguments) {
            callPiece.arguments = (functionCallArgs ??= createStreamRestorer(options.vault, { json: true })).push(callPiece.arguments);
          }
          functionCall ??= { name: "", arguments: "" };
          functionCall.name += callPiece.name ?? "";
          functionCall.arguments += callPiece.arguments ?? "";
        }
        // A call is an answer as much as text: its first piece (the name, usually) is the first token.
        if (ttftMs === undefined && (delta.content || (delta.tool_calls?.length ?? 0) > 0 || callPiece)) ttftMs = performance.now() - options.startedAt;
        if (choice.finish_reason && restoring) {
          const held = release(chunk);
          if (held) {
            // The finish chunk's own text comes before what was held back, and the finish after both.
            const split = hasPayload(delta);
            if (split) yield { ...chunk, usage: undefined, choices: [{ ...choice, finish_reason: null }] } as ChatCompletionChunk;
            yield held;
            // The text chunk carried the finish chunk's logprobs: sent again, a client would count them twice.
            chunk.choices[0] = { ...choice, delta: {}, finish_reason: choice.finish_reason, ...(split ? { logprobs: null } : {}) };
          }
        }
      } else if (restoring && chunk.usage) {
        // A usage-only chunk ends the answer: a stream that had no finish_reason releases what was held here.
        const held = release(chunk);
        if (held) yield held;
      }
      // A usage without the token counts (some servers send only `total_tokens`) is completed with
      // the gateway's count where it stands, so the client gets one usage chunk and the record has tokens.
      // One on a chunk with choices is dropped instead (MiniMax sends `{ total_tokens: 0 }` on every
      // chunk): counted per chunk, each count re-read the whole prompt (seconds of a blocked event loop
      // for a long one), and the next chunk's `usage: null` left the SDK's answer without usage. The
      // stream's end then carries the count, as for an upstream that sends none.
      if (chunk.usage && !hasTokenCounts(chunk.usage)) {
        if ((chunk.choices?.length ?? 0) > 0) chunk.usage = undefined;
        else if (options.countTokens) chunk.usage = { ...chunk.usage, ...countedUsage(options.countTokens) };
      }
      if (choice?.finish_reason && !finishSent) {
        finishSent = true;
        options.onAnswered?.(summary());
      }
      yield chunk;
    }
    // A stream that ended (`[DONE]`) without a finish_reason or usage still gets the text held back.
    if (restoring && last) {
      const held = release(last);
      if (held) yield held;
    }
    // The usage-only chunk OpenAI ends a stream with: no choices, the last chunk's id and model.
    if (!usageReported && last && options.countTokens) yield usageChunk(last, countedUsage(options.countTokens));
    finished = true;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A chunk from the provider goes out before the next is read: once one arrived, the consumer had it.
    const firstChunkSent = last !== undefined;
    const sent = { firstChunkSent, finishSent };
    options.onEnd(finished ? { summary: summary(), ...sent } : failure !== undefined ? { summary: summary(), error: failure, ...sent } : { summary: summary(), aborted: true, ...sent });
  }
}

/**
 * The summary with token counts: the provider's, or when it reported none, the prompt as the model
 * received it (its messages and the tool definitions offered) and the answer so far as the model wrote
 * it (placeholders, not the values restored for the client: `written`), with a reasoning model's
 * thinking (billed as output), counted as the gateway counts them (the model's tokenizer in-process,
 * else an estimate). The upstream bills a stream the client left, and the tenant's budget must see
 * it too, or leaving before the last chunk would make answers free.
 */
export function withTokens(summary: AnswerSummary, request: SentPrompt, count: TokenCounter): AnswerSummary {
  let promptTokens = 0;
  for (const message of request.messages) promptTokens += count.message(message);
  for (const definition of toolDefinitionTexts(request)) promptTokens += count.text(definition);
  const answer = summary.message;
  let completionTokens = 0;
  for (const text of summary.written ?? (answer ? answerTexts(answer) : [])) completionTokens += count.text(text);
  // A reasoning model bills its thinking as output, whether or not an answer followed it.
  if (summary.reasoning) completionTokens += count.text(summary.reasoning);
  return { ...summary, promptTokens, completionTokens };
}

/** What of the request the provider sent reaches the model's prompt. */
export type SentPrompt = Pick<ChatCompletionRequest, "messages" | "tools" | "functions">;

export interface TokenCounter {
  message(message: ChatMessage): number;
  text(text: string): number;
}

/** Whether a delta carries any part of the answer (a role alone does not). */
function hasPayload(delta: ChatCompletionChunk.Choice.Delta): boolean {
  const pieces = delta as Record<string, unknown>;
  return hasAnswerPiece(delta) || REASONING_FIELDS.some((field) => pieces[field]);
}

/** Whether a delta carries a piece of the answer itself: content, a refusal or a call, not thinking. */
function hasAnswerPiece(delta: ChatCompletionChunk.Choice.Delta): boolean {
  return Boolean(delta.content || delta.refusal || delta.function_call || (delta.tool_calls?.length ?? 0) > 0);
}

/** The restorers of the answer's text fields other than tool calls. */
interface TextRestorers {
  content: StreamRestorer | undefined;
  refusal: StreamRestorer | undefined;
  reasoning: Map<ReasoningField, StreamRestorer>;
  functionCallArgs: StreamRestorer | undefined;
}

/**
 * The thinking comes before the answer: what a reasoning field's restorer still holds (the start of a
 * possible placeholder, a bare alias that might go on) goes out with the answer's first piece, in the same
 * delta and ahead of it as a client reads the fields, not after the whole answer.
 */
function releaseReasoningBefore(delta: ChatCompletionChunk.Choice.Delta, restorers: ReadonlyMap<string, StreamRestorer>): void {
  if (!hasAnswerPiece(delta)) return;
  const pieces = delta as Record<string, unknown>;
  for (const [field, restorer] of restorers) {
    if (typeof pieces[field] === "string" && (pieces[field] as string).length > 0) continue;
    const rest = restorer.flush();
    if (rest.length > 0) pieces[field] = rest;
  }
}

/** A chunk carrying whatever the restorers still hold, to go out just before the finish chunk. */
function heldBack(finish: ChatCompletionChunk, restorers: TextRestorers, toolArgs: Map<number, StreamRestorer>, calls: Map<number, ToolCall>): ChatCompletionChunk | undefined {
  const delta: ChatCompletionChunk.Choice.Delta & Record<string, unknown> = {};
  const text = restorers.content?.flush() ?? "";
  if (text.length > 0) delta.content = text;
  const refusalRest = restorers.refusal?.flush() ?? "";
  if (refusalRest.length > 0) delta.refusal = refusalRest;
  for (const [field, restorer] of restorers.reasoning) {
    const rest = restorer.flush();
    if (rest.length > 0) delta[field] = rest;
  }
  const toolCalls: ToolCallDelta[] = [];
  for (const [index, restorer] of toolArgs) {
    const rest = restorer.flush();
    if (rest.length === 0) continue;
    toolCalls.push(calls.get(index)?.type === "custom" ? { index, custom: { input: rest } } : { index, function: { arguments: rest } });
  }
  if (toolCalls.length > 0) delta.tool_calls = toolCalls as ChatCompletionChunk.Choice.Delta.ToolCall[];
  const functionCallRest = restorers.functionCallArgs?.flush() ?? "";
  if (functionCallRest.length > 0) delta.function_call = { arguments: functionCallRest };
  if (!hasPayload(delta)) return undefined;
  return { ...finish, usage: undefined, choices: [{ index: 0, delta, finish_reason: null, logprobs: null }] } as ChatCompletionChunk;
}

/** The deprecated `function_call`, as the SDK's answer types and the request schema both have it. */
type FunctionCallShape = { name: string; arguments: string };

/**
 * The answer as the session keeps it. The call travels with it (`tool_calls`, or the deprecated
 * `function_call`): the client's next turn may be only the call's result, which needs the call before it.
 * So does a refusal (`content: null, refusal`), as a client resending the history would send it: kept
 * as an empty answer, the model would read that it said nothing.
 */
function assistantMessage(content: string, toolCalls: ToolCall[] | undefined, functionCall: FunctionCallShape | undefined, refusal?: string): ChatMessage {
  const hasToolCalls = toolCalls !== undefined && toolCalls.length > 0;
  const refused = refusal !== undefined && refusal.length > 0;
  if (!hasToolCalls && !functionCall && !refused) return { role: "assistant", content };
  return {
    role: "assistant",
    content: content || null,
    ...(refused ? { refusal } : {}),
    ...(hasToolCalls ? { tool_calls: toolCalls } : {}),
    ...(functionCall ? { function_call: { name: functionCall.name, arguments: functionCall.arguments } } : {}),
  };
}

/**
 * A streamed tool-call piece. The SDK's chunk types know only function calls; a custom tool call streams
 * its name and free-form input under `custom` instead.
 */
type ToolCallDelta = Omit<ChatCompletionChunk.Choice.Delta.ToolCall, "type"> & {
  /** `function`, `custom`, or a kind the SDK does not know yet (some servers send null or ""). */
  type?: string | null;
  custom?: { name?: string; input?: string };
};

/** What `callKind` reads of a call: a whole answer's, or a streamed call's first piece. */
type CallPiece = { type?: string | null; function?: unknown; custom?: unknown };

const isObject = (value: unknown): boolean => typeof value === "object" && value !== null;

/**
 * The kind of a call (a whole answer's, or a streamed call's first piece) when the request schema
 * knows it: `type` says so, or, from a server that leaves it out (or sends it empty), the call carries
 * a function or a custom call object. Vendor fields beside a function (Gemini's `extra_content`) do
 * not make it another kind. Undefined otherwise: a kind the SDK does not know yet (`mcp`), or a whole
 * answer's call with neither object (`{id}`, `function: null`). Whether a whole answer's call of a
 * known kind is whole (its name and text strings) is `readableCall`'s to say.
 */
function callKind(call: CallPiece): "function" | "custom" | undefined {
  if (call.type === "function" || call.type === "custom") return call.type;
  if (call.type) return undefined;
  if (isObject(call.custom) && !isObject(call.function)) return "custom";
  return isObject(call.function) ? "function" : undefined;
}

/**
 * Whether a streamed call's first piece is of a kind the request schema knows (`callKind`), or has
 * nothing of another kind's: a first piece of an id alone is a function call's, whose name and text
 * the next pieces bring.
 */
const knownKind = (first: ToolCallDelta): boolean =>
  callKind(first) !== undefined || (!first.type && !hasVendorFields(first));

function emptyCall(first: ToolCallDelta): ToolCall {
  return callKind(first) === "custom"
    ? { id: "", type: "custom", custom: { name: "", input: "" } }
    : { id: "", type: "function", function: { name: "", arguments: "" } };
}

/**
 * How many vendor fields a streamed call keeps: a server that sent a new one with every piece would
 * otherwise grow the stored turn with each.
 */
const MAX_VENDOR_FIELDS = 8;

/**
 * Keeps the vendor fields of a streamed call's piece (Gemini's `extra_content`, whose thought signature
 * it refuses the next request without) on the call the session stores, as a whole answer's call keeps
 * them: each field as the first piece that carries it sent it. They never replace the call's own
 * fields (`TOOL_CALL_FIELDS`).
 */
function keepVendorFields(call: ToolCall, piece: ToolCallDelta): void {
  const fields = piece as Record<string, unknown>;
  for (const field in fields) {
    const value = fields[field];
    if (TOOL_CALL_FIELDS.has(field) || value == null || Object.hasOwn(call, field)) continue;
    if (vendorFieldNames(call).length >= MAX_VENDOR_FIELDS) return;
    // Defined, not assigned: a field named `__proto__` (JSON.parse makes it an own one) stays a field.
    Object.defineProperty(call, field, { value, enumerable: true, writable: true, configurable: true });
  }
}

/** The name and text a piece adds to the call it continues (the call's kind was set by its first piece). */
function deltaParts(call: ToolCallDelta, collected: ToolCall): { name: string | undefined; text: string | undefined } {
  return collected.type === "custom" ? { name: call.custom?.name, text: call.custom?.input } : { name: call.function?.name, text: call.function?.arguments };
}

/** Adds a name piece to the call's name (a name repeated on every piece was left out upstream: `streamShaper`). */
function appendName(call: ToolCall, name: string): void {
  const target = call.type === "custom" ? call.custom : call.function;
  target.name += name;
}

function appendText(call: ToolCall, text: string): void {
  if (call.type === "custom") call.custom.input += text;
  else call.function.arguments += text;
}
