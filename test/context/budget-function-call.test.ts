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
    // q2 6; the first exchange (6 + 14 + 8 + 10 = 38) does not fit in 30 and goes whole, though its
    // result and answer alone (18) would fit.
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("q2")]);
    expect(fitted.dropped).toBe(4);
  });

  it("keeps the call with its result when both fit", () => {
    const fitted = fitToBudget(messages, { contextWindow: 44, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual(messages);
  });

  it("keeps the newest call with its result in an exchange still in progress, and drops an older message first", () => {
    // q1 6 + call and result 22 = 28 fit in 30; the answer before the call (10) does not.
    const inProgress = [user("q1"), assistant("answer"), functionCall, functionResult("sent")];
    const fitted = fitToBudget(inProgress, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("q1"), functionCall, functionResult("sent")]);
    expect(fitted.dropped).toBe(1);
  });
});
