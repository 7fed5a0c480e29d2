/**
 * How a chat becomes model input on the in-process llama.cpp route: through the model's own chat
 * template when its GGUF has one, otherwise as a plain completion prompt.
 */
import type { ChatHistoryItem } from "node-llama-cpp";
import { messageText, type ChatMessage } from "../../api/chat-request.js";
import { assertNoToolHistory } from "../../api/tool-history.js";

export interface PlainPrompt {
  text: string;
  /** Strings that end the answer because the model started writing the next turn. */
  stopTriggers: string[];
}

/**
 * Without a chat template there is no right way to mark turns, so keep the model's own register:
 * a lone user message (after an optional system message) is sent as-is, which is what a base model
 * completes best; a longer conversation becomes a `Role: text` transcript that ends with
 * `Assistant:`, and the answer stops when the model starts a new `User:` turn.
 */
export function renderPlainPrompt(messages: readonly ChatMessage[]): PlainPrompt {
  assertTextOnly(messages);
  const instructions = messages.filter((m) => m.role === "system" || m.role === "developer").map(messageText);
  const turns = messages.filter((m) => m.role !== "system" && m.role !== "developer");
  const only = turns[0];
  if (turns.length === 1 && only?.role === "user") {
    const user = messageText(only);
    return { text: instructions.length > 0 ? `${instructions.join("\n\n")}\n\n${user}` : user, stopTriggers: [] };
  }
  const lines = instructions.map((text) => `System: ${text}`);
  for (const message of turns) {
    lines.push(`${message.role === "assistant" ? "Assistant" : "User"}: ${messageText(message)}`);
  }
  lines.push("Assistant:");
  return { text: lines.join("\n\n"), stopTriggers: ["\nUser:", "\nSystem:"] };
}

/** Converts the chat to node-llama-cpp's history for models with a chat template. */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  assertTextOnly(messages);
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const text = messageText(message);
    if (message.role === "system" || message.role === "developer") history.push({ type: "system", text });
    else if (message.role === "user") history.push({ type: "user", text });
    else history.push({ type: "model", response: [text] });
  }
  return history;
}

/** The in-process route has no tool calling; anything tool-shaped in the history is refused clearly. */
function assertTextOnly(messages: readonly ChatMessage[]): void {
  assertNoToolHistory(messages, "This model cannot use tools");
}
