/**
 * Fitting history keeps the deprecated single function call (`function_call`) and the `function`
 * result answering it together, as it does `tool_calls` and their `tool` results: a provider refuses
 * a result whose call is not in front of it.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { messageText } from "../../src/api/chat-request.js";
import { fitToBudget } from "../../src/context/budget.js";
import { assistant, user } from "./support.js";

/** One token per character plus 4 of framing, and 10 for a call. */
const countTokens = (m: ChatMessage) => messageText(m).length + 4 + (m.role === "assistant" && m.function_call ? 10 : 0);

const functionCall: ChatMessage = { role: "assistant", content: null, function_call: { name: "send_mail", arguments: '{"to":"finance"}' } };
const functionResult = (content: string): ChatMessage => ({ role: "function", name: "send_mail", content });

describe("fitting history holding a function_call", () => {
  const messages = [user("q1"), functionCall, functionResult("sent"), assistant("answer"), user("q2")];

  it("drops the call together with its result, never the call alone", () => {
    // Newest two turns: 10 + 6 = 16; the result alone (8) would fit in 30, but not with its call (14).
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([assistant("answer"), user("q2")]);
    expect(fitted.dropped).toBe(3);
  });

  it("keeps the call with its result when both fit", () => {
    const fitted = fitToBudget(messages, { contextWindow: 40, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual(messages.slice(1));
  });
});
