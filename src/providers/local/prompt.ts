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
 * a lone user message (after optional system messages) is sent as-is, which is what a base model
 * completes best; a longer conversation becomes a `Role: text` transcript in the order it was sent
 * (an instruction sent mid-conversation applies from there on, as in a template), ending with
 * `Assistant:`, and the answer stops when the model starts a new `User:` or `System:` turn.
 */
export function renderPlainPrompt(messages: readonly ChatMessage[]): PlainPrompt {
  assertTextOnly(messages);
  const firstTurn = messages.findIndex((m) => !isInstruction(m));
  const only = messages[firstTurn];
  if (only?.role === "user" && firstTurn === messages.length - 1) {
    const instructions = messages.slice(0, firstTurn).map(messageText);
    const user = messageText(only);
    return { text: instructions.length > 0 ? `${instructions.join("\n\n")}\n\n${user}` : user, stopTriggers: [] };
  }
  const lines = messages.map((m) => `${isInstruction(m) ? "System" : m.role === "assistant" ? "Assistant" : "User"}: ${messageText(m)}`);
  lines.push("Assistant:");
  return { text: lines.join("\n\n"), stopTriggers: ["\nUser:", "\nSystem:"] };
}

const isInstruction = (m: ChatMessage) => m.role === "system" || m.role === "developer";

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
