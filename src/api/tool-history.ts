/**
 * Tool calls and their results inside a conversation: only a model that knows tools can continue
 * one, so routing looks for them and models without tools refuse them by name.
 */
import type { ChatMessage } from "./chat-request.js";
import { unsupported } from "../errors.js";

export function holdsToolHistory(message: ChatMessage): boolean {
  return message.role === "tool" || message.role === "function" || (message.role === "assistant" && ((message.tool_calls?.length ?? 0) > 0 || message.function_call != null));
}

/** Refuses a conversation holding tool calls or results, naming the first message that does. */
export function assertNoToolHistory(messages: readonly ChatMessage[], subject: string): void {
  messages.forEach((message, index) => {
    if (message.role === "tool") {
      throw unsupported(`${subject}, so the conversation cannot contain tool messages.`, `messages[${index}]`);
    }
    if (message.role === "function") {
      throw unsupported(`${subject}, so the conversation cannot contain function messages (role 'function').`, `messages[${index}].role`);
    }
    if (message.role === "assistant" && message.tool_calls && message.tool_calls.length > 0) {
      throw unsupported(`${subject}, so the conversation cannot contain tool calls.`, `messages[${index}].tool_calls`);
    }
    // The deprecated single call: a client that kept it without its `function` result has nothing else marking tools.
    if (message.role === "assistant" && message.function_call != null) {
      throw unsupported(`${subject}, so the conversation cannot contain function calls (function_call).`, `messages[${index}].function_call`);
    }
  });
}
