/**
 * Which text of a chat request the classifier reads.
 *
 * By default only the last user message: the router decides how to answer what is being asked now,
 * and a conversation often changes intent between turns ("hi!" then "debug this stack trace").
 * Assistant and system messages are never read — the system prompt is the same for every request of
 * an app, and the assistant's own earlier answers would let the model's output steer its routing.
 *
 * `previousUserTurns: N` adds up to N earlier user messages, for follow-ups such as "and in French?"
 * that only make sense with the turn before. The current message comes first and earlier turns
 * follow, most recent first, because the classifier reads only the head of long inputs: the current
 * message must never be the part that gets cut.
 */
import { z } from "zod";
import { messageText, type ChatMessage } from "../src/api/chat-request.js";

export const ClassifierTextOptionsSchema = z.strictObject({
  previousUserTurns: z.int().min(0).default(0),
});
export type ClassifierTextOptions = z.input<typeof ClassifierTextOptionsSchema>;

/**
 * @example
 * selectClassifierText([{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "and in French?" }], { previousUserTurns: 1 });
 * // → "and in French?\nhi"
 */
export function selectClassifierText(messages: readonly ChatMessage[], options: ClassifierTextOptions = {}): string {
  const { previousUserTurns } = ClassifierTextOptionsSchema.parse(options);
  const texts: string[] = [];
  let turns = 0;
  for (let i = messages.length - 1; i >= 0 && turns <= previousUserTurns; i--) {
    const message = messages[i] as ChatMessage;
    if (message.role !== "user") continue;
    const text = messageText(message);
    // The current turn counts even when it has no text (an image alone); an earlier turn without
    // text is no context, so it must not use up one of the `previousUserTurns`.
    if (turns > 0 && text.trim() === "") continue;
    turns++;
    if (text.trim() !== "") texts.push(text);
  }
  return texts.join("\n");
}
