import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { messageText } from "../../src/api/chat-request.js";
import { fitToBudget } from "../../src/context/budget.js";
import { assistant, system, toolResult, user } from "./support.js";

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
    expect(fitted).toEqual({ messages: [system("sys"), user("q".repeat(40))], dropped: 3, tokens: 51, fits: true });
  });
});
