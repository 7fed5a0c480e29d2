/**
 * A whole chat completion as the chunks a stream of it would have carried. Some OpenAI-compatible
 * servers and proxies ignore `stream: true` (or refuse to stream with tools) and answer with one JSON
 * completion; the client asked for a stream, so it gets one, with the same content, tool calls,
 * finish reasons and usage.
 */
import type { ChatCompletion, ChatCompletionChunk } from "../types.js";

/**
 * One chunk per choice (its whole message as the delta, with its finish reason), then a usage chunk
 * when the completion reports usage — the shape OpenAI sends with `stream_options.include_usage`.
 *
 * @example
 * completionChunks(completion) // → [{ choices: [{ index: 0, delta: { role, content }, finish_reason: "stop" }] }, { choices: [], usage }]
 */
export function completionChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const head = {
    id: completion.id,
    object: "chat.completion.chunk" as const,
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint ? { system_fingerprint: completion.system_fingerprint } : {}),
    ...(completion.service_tier ? { service_tier: completion.service_tier } : {}),
  };
  const chunks: ChatCompletionChunk[] = completion.choices.map((choice) => ({
    ...head,
    choices: [{ index: choice.index, delta: messageDelta(choice.message), finish_reason: choice.finish_reason, logprobs: choice.logprobs ?? null }],
  }));
  if (completion.usage) chunks.push({ ...head, choices: [], usage: completion.usage });
  return chunks;
}

function messageDelta(message: ChatCompletion.Choice["message"]): ChatCompletionChunk.Choice.Delta {
  const delta: ChatCompletionChunk.Choice.Delta = { role: "assistant" };
  if (message.content != null) delta.content = message.content;
  if (message.refusal != null) delta.refusal = message.refusal;
  if (message.tool_calls?.length) {
    // Each call as the message has it (a function or a custom tool call), with the index a delta needs.
    delta.tool_calls = message.tool_calls.map((call, index) => ({ index, ...call }) as ChatCompletionChunk.Choice.Delta.ToolCall);
  }
  if (message.function_call) delta.function_call = { name: message.function_call.name, arguments: message.function_call.arguments };
  return delta;
}
