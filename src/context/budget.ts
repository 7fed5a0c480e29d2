/**
 * Fits a conversation into a model's context window: system and developer messages always stay, the
 * newest exchanges are kept and the oldest dropped first, whole — a question with the answers, calls
 * and results that follow it, as the storage trim counts them — so the model never gets an answer
 * whose question was left out. An assistant message that calls tools and the tool results answering
 * it are kept or dropped together, since a provider rejects either without the other; so are the
 * deprecated single `function_call` and its `function` result. Calls whose results never came are
 * left out, unless the conversation ends with them.
 */
import type { ChatMessage } from "../api/chat-request.js";
import { invalidRequest } from "../errors.js";
import { isInstruction } from "./turn.js";

/**
 * OpenAI's answer when the prompt cannot fit: 400 `context_length_exceeded`. When the prompt would fit
 * alone, the client's completion length is what does not, and the answer names it (OpenAI's "you
 * requested M tokens (P in the messages, C in the completion)"); else it names `messages`.
 */
export function contextLengthExceeded(fitted: FittedHistory, options: BudgetOptions, exact?: ExactCount) {
  const window = options.contextWindow;
  const completion = options.requestedCompletion;
  // Framing is part of the prompt the model reads, so it is counted with the messages (exactly, when
  // the model's runtime counted the whole prompt).
  const promptTokens = exact?.promptTokens ?? fitted.tokens + options.reservedOutputTokens - (completion?.tokens ?? 0);
  if (completion && promptTokens < window) {
    return invalidRequest(
      `This model's maximum context length is ${window} tokens. However, you requested ${promptTokens + completion.tokens} tokens (${promptTokens} in the messages, ${completion.tokens} in the completion). Please reduce the length of the messages or ${completion.param}.`,
      completion.param,
      "context_length_exceeded",
    );
  }
  return invalidRequest(
    `This model's maximum context length is ${window} tokens. However, your messages resulted in ${exact?.promptTokens ?? fitted.tokens} tokens with ${exact?.completionTokens ?? options.reservedOutputTokens} reserved for the completion, even after leaving out ${fitted.dropped} earlier messages. Please reduce the length of the messages.`,
    "messages",
    "context_length_exceeded",
  );
}

/** The whole prompt counted by the model's runtime, and the completion kept free beside it. */
export interface ExactCount {
  promptTokens: number;
  completionTokens: number;
}

export interface BudgetOptions {
  contextWindow: number;
  /** Tokens kept free for the answer (the request's max tokens or the model's default) and the prompt's framing. */
  reservedOutputTokens: number;
  /** The part of `reservedOutputTokens` the client asked for by name, if it did: a refusal then names it. */
  requestedCompletion?: { tokens: number; param: "max_tokens" | "max_completion_tokens" };
  /** Tokens one message costs in the target model's prompt format, including its framing. */
  countTokens: (message: ChatMessage) => number;
  /**
   * A cheap count no message's `countTokens` exceeds (for a llama.cpp tokenizer, the UTF-8 length of
   * its framed text). When the whole conversation fits by it, nothing is counted: tokenizing a long
   * history on every turn only to learn that it fits is most of what fitting costs.
   */
  tokensAtMost?: (message: ChatMessage) => number | undefined;
}

export interface FittedHistory {
  messages: ChatMessage[];
  /** Where each of `messages` was in the messages fitted (ascending). */
  indices: number[];
  /** Messages left out, oldest first; send it in `CONTEXT_DROPPED_HEADER` (headers.ts). */
  dropped: number;
  /** Prompt tokens of `messages` (at most this many when everything fit by `tokensAtMost`). */
  tokens: number;
  /**
   * False when even the instructions and the newest turn exceed the budget; `messages` then still
   * holds them, and the caller should refuse with a context-length error.
   */
  fits: boolean;
}

/** A message, or a call together with the results answering it. */
interface Group {
  indices: number[];
  tokens: number;
  /** Tool results whose call is not in the conversation: invalid for any provider. */
  orphan: boolean;
  /**
   * Tool calls (`tool_calls`) not all answered by results right after them, followed by more of the
   * conversation: invalid for a provider too — a client that chose not to run a tool, or whose results
   * never came. Only the conversation's last group may still await its results.
   */
  unanswered?: boolean;
}

/**
 * A question and everything answering it (the model's messages, its calls and their results), as the
 * storage trim counts them. `opening` is false for answers the conversation starts with, before any
 * question.
 */
interface Exchange {
  groups: Group[];
  opening: boolean;
}

/** The role of the results answering `message`'s calls, if it makes any. */
function resultRoleOf(message: ChatMessage): "tool" | "function" | undefined {
  if (message.role !== "assistant") return undefined;
  if ((message.tool_calls?.length ?? 0) > 0) return "tool";
  return message.function_call != null ? "function" : undefined;
}

/** Whether a group's `tool_calls` lack any result in the group (the deprecated `function_call` has no id to check). */
function awaitsResults(group: Group, messages: readonly ChatMessage[]): boolean {
  const call = messages[group.indices[0]!]!;
  if (call.role !== "assistant" || (call.tool_calls?.length ?? 0) === 0) return false;
  const answered = new Set<string>();
  for (const i of group.indices) {
    const message = messages[i]!;
    if (message.role === "tool") answered.add(message.tool_call_id);
  }
  return call.tool_calls!.some((c) => !answered.has(c.id));
}

/**
 * @example
 * const fitted = fitToBudget(merged.messages, { contextWindow: 2048, reservedOutputTokens: 256, countTokens });
 * if (fitted.dropped > 0) headers[CONTEXT_DROPPED_HEADER] = String(fitted.dropped); // from headers.ts
 */
export function fitToBudget(messages: readonly ChatMessage[], options: BudgetOptions): FittedHistory {
  const available = options.contextWindow - options.reservedOutputTokens;
  const { tokensAtMost } = options;
  if (tokensAtMost) {
    // The same fitting by the bound: if it keeps every message, the exact counts would too.
    const byBound = fitWith(messages, available, (m) => tokensAtMost(m) ?? Infinity);
    if (byBound.fits && byBound.dropped === 0) return byBound;
  }
  return fitWith(messages, available, options.countTokens);
}

function fitWith(messages: readonly ChatMessage[], available: number, countTokens: (message: ChatMessage) => number): FittedHistory {
  const keep = new Array<boolean>(messages.length).fill(false);
  let pinnedTokens = 0;
  const exchanges: Exchange[] = [];
  /** The last call's group, while the results answering it follow. */
  let open: { group: Group; results: "tool" | "function" } | undefined;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const tokens = countTokens(message);
    if (isInstruction(message)) {
      keep[i] = true;
      pinnedTokens += tokens;
      continue;
    }
    if (open && message.role === open.results) {
      open.group.indices.push(i);
      open.group.tokens += tokens;
      continue;
    }
    // Unlike a `tool` result, a `function` result carries no call id a provider could check, so one
    // without its call in front is kept as the client sent it, not dropped as an orphan.
    const group: Group = { indices: [i], tokens, orphan: message.role === "tool" };
    const answers = message.role === "assistant" || message.role === "tool" || message.role === "function";
    if (!answers || exchanges.length === 0) exchanges.push({ groups: [], opening: !answers });
    exchanges.at(-1)!.groups.push(group);
    const results = resultRoleOf(message);
    open = results ? { group, results } : undefined;
  }
  const lastGroup = exchanges.at(-1)?.groups.at(-1);
  for (const exchange of exchanges) for (const group of exchange.groups) if (group !== lastGroup && awaitsResults(group, messages)) group.unanswered = true;

  let remaining = available - pinnedTokens;
  let tokens = pinnedTokens;
  let fits = remaining >= 0;
  const take = (group: Group) => {
    remaining -= group.tokens;
    tokens += group.tokens;
    for (const i of group.indices) keep[i] = true;
  };
  // Whole exchanges, newest first and contiguous: what is sent never starts with an answer whose
  // question was left out. The newest exchange that can be sent is the one being asked about (an
  // orphan tool result after it is dropped anyway and must not make it droppable): when it does not
  // fit whole — a long run of calls — its question stays with its newest calls and their results, and
  // only its older calls go; when even its question and its newest message do not fit, it is sent
  // anyway and `fits` says so.
  let newest = true;
  for (let e = exchanges.length - 1; e >= 0; e--) {
    const exchange = exchanges[e]!;
    const groups = exchange.groups.filter((g) => !g.orphan && !g.unanswered);
    if (groups.length === 0) continue;
    const size = groups.reduce((sum, g) => sum + g.tokens, 0);
    if (size <= remaining) {
      for (const group of groups) take(group);
      newest = false;
      continue;
    }
    if (!newest) break;
    const question = exchange.opening ? groups.shift()! : undefined;
    if (question) take(question);
    for (let g = groups.length - 1; g >= 0; g--) {
      if (groups[g]!.tokens > remaining && g < groups.length - 1) break;
      take(groups[g]!);
    }
    if (remaining < 0) fits = false;
    break;
  }

  const indices: number[] = [];
  for (let i = 0; i < messages.length; i++) if (keep[i]) indices.push(i);
  return { messages: indices.map((i) => messages[i]!), indices, dropped: messages.length - indices.length, tokens, fits };
}
