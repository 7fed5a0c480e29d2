/**
 * Fitting a conversation into a small window drops whole exchanges (a question with the answers,
 * calls and results that follow it), as the storage trim does: what is sent never starts with an
 * answer whose question was left out.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { messageText } from "../../src/api/chat-request.js";
import { fitToBudget } from "../../src/context/budget.js";
import { assistant, system, toolCall, toolResult, user } from "./support.js";

/** One token per character plus 4 of framing, and 10 for a call. */
const countTokens = (m: ChatMessage) => messageText(m).length + 4 + (m.role === "assistant" && m.tool_calls ? 10 : 0);

describe("fitting a conversation into a small window", () => {
  it("never sends an answer without its question", () => {
    const turns = Array.from({ length: 12 }, (_, i) => [user(`turn ${i} ${"lorem ".repeat(5)}`), assistant(`answer ${i}`)]).flat();
    const messages = [system("SYS"), ...turns, user("short q")];
    for (const window of [60, 75, 90, 110, 140, 200]) {
      const fitted = fitToBudget(messages, { contextWindow: window, reservedOutputTokens: 0, countTokens });
      expect(fitted.fits).toBe(true);
      const conversation = fitted.messages.filter((m) => m.role !== "system");
      expect(conversation[0]!.role).toBe("user");
      expect(fitted.messages.at(-1)).toEqual(user("short q"));
      // Whole exchanges: every kept answer comes right after its own question.
      for (let i = 1; i < conversation.length; i++) {
        if (conversation[i]!.role === "assistant") expect(messageText(conversation[i - 1]!).replace("turn", "answer").slice(0, 8)).toBe(messageText(conversation[i]!).slice(0, 8));
      }
      expect(fitted.dropped).toBe(messages.length - fitted.messages.length);
    }
  });

  it("drops the answer with the question it belongs to when only the answer would fit", () => {
    // q1 44 tokens, a1 8, q2 6: the window holds a1 and q2 but not q1.
    const messages = [user("q".repeat(40)), assistant("a1aa"), user("q2")];
    const fitted = fitToBudget(messages, { contextWindow: 20, reservedOutputTokens: 0, countTokens });
    expect(fitted).toEqual({ messages: [user("q2")], indices: [2], dropped: 2, tokens: 6, fits: true });
  });

  it("drops a tool exchange whole: question, call, results and answer", () => {
    const messages = [user("q1"), toolCall("c1", "f", "{}"), toolResult("c1", "r".repeat(20)), assistant("answer"), user("q2")];
    // q2 6 + answer 10 would fit in 30, the call with its result (14 + 24) and q1 (6) would not.
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("q2")]);
    expect(fitted.dropped).toBe(4);
  });

  it("keeps the question of a tool exchange still in progress, and drops its oldest calls first", () => {
    const messages = [
      user("old"),
      assistant("reply"),
      user("task"),
      toolCall("c1", "f", "{}"),
      toolResult("c1", "r".repeat(30)),
      toolCall("c2", "g", "{}"),
      toolResult("c2", "s"),
    ];
    // task 8 + call c2 14 + its result 5 = 27 fit in 30; the first call and its result (14 + 34) do not.
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("task"), toolCall("c2", "g", "{}"), toolResult("c2", "s")]);
    expect(fitted).toMatchObject({ dropped: 4, tokens: 27, fits: true });
  });
});
