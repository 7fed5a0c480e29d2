import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { messageText } from "../../src/api/chat-request.js";
import { fitToBudget } from "../../src/context/budget.js";
import { assistant, system, toolCall, toolResult, user } from "./support.js";

/** One token per character plus 4 of framing, as in budget.test.ts. */
const countTokens = (m: ChatMessage) => messageText(m).length + 4;

describe("fitting history when the newest message is a tool result without its call", () => {
  // The orphan is dropped anyway; the user turn before it is what is being asked now.
  const messages = [system("sys"), user("old"), assistant("reply"), user("q".repeat(40)), toolResult("gone", "r")];

  it("says it does not fit instead of silently dropping the newest user turn", () => {
    // sys 7 + newest user 44 = 51 > 30.
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens });
    expect(fitted.fits).toBe(false);
    expect(fitted.messages).toEqual([system("sys"), user("q".repeat(40))]);
  });

  it("says the same when fitting by a cheap upper bound first", () => {
    const fitted = fitToBudget(messages, { contextWindow: 30, reservedOutputTokens: 0, countTokens, tokensAtMost: (m) => countTokens(m) * 2 });
    expect(fitted.fits).toBe(false);
    expect(fitted.messages).toContainEqual(user("q".repeat(40)));
  });

  it("still drops the orphan and older turns when the newest user turn fits", () => {
    // sys 7 + newest user 44 = 51 fits in 55; the older turns (7 + 9) do not.
    const fitted = fitToBudget(messages, { contextWindow: 55, reservedOutputTokens: 0, countTokens });
    expect(fitted).toEqual({ messages: [system("sys"), user("q".repeat(40))], indices: [0, 3], dropped: 3, tokens: 51, fits: true });
  });
});

describe("fitting history with tool calls whose results never came", () => {
  const big = { contextWindow: 10_000, reservedOutputTokens: 0, countTokens };
  const parallel: ChatMessage = {
    role: "assistant",
    content: null,
    tool_calls: [
      { id: "c1", type: "function", function: { name: "a", arguments: "{}" } },
      { id: "c2", type: "function", function: { name: "b", arguments: "{}" } },
    ],
  };

  it("leaves out a call the conversation moved on from (a provider refuses it without its results)", () => {
    const fitted = fitToBudget([user("weather?"), toolCall("c1", "weather", "{}"), user("never mind")], big);
    expect(fitted.messages).toEqual([user("weather?"), user("never mind")]);
    expect(fitted.dropped).toBe(1);
  });

  it("leaves out parallel calls only some of which were answered, with that result", () => {
    const fitted = fitToBudget([user("both?"), parallel, toolResult("c1", "one"), user("go on")], big);
    expect(fitted.messages).toEqual([user("both?"), user("go on")]);
  });

  it("keeps calls answered in full, and a call the conversation ends with (as the client sent it)", () => {
    const answered = [user("both?"), parallel, toolResult("c2", "two"), toolResult("c1", "one"), assistant("done"), user("thanks")];
    expect(fitToBudget(answered, big).messages).toEqual(answered);
    const awaiting = [user("weather?"), toolCall("c1", "weather", "{}")];
    expect(fitToBudget(awaiting, big).messages).toEqual(awaiting);
  });
});
