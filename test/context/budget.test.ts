import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { messageText } from "../../src/api/chat-request.js";
import { contextLengthExceeded, fitToBudget } from "../../src/context/budget.js";
import { assistant, system, toolCall, toolResult, user } from "./support.js";

/** One token per character plus 4 of framing: easy to reason about in a test. */
const countTokens = (m: ChatMessage) => messageText(m).length + 4 + (m.role === "assistant" && m.tool_calls ? 10 : 0);

const conversation = [system("sys"), user("aaaa"), assistant("bbbb"), user("cccc"), assistant("dddd"), user("eeee")];

describe("fitting history into a context window", () => {
  it("keeps everything that fits", () => {
    const fitted = fitToBudget(conversation, { contextWindow: 1000, reservedOutputTokens: 100, countTokens });
    expect(fitted).toEqual({ messages: conversation, indices: [0, 1, 2, 3, 4, 5], dropped: 0, tokens: 7 + 5 * 8, fits: true });
  });

  it("drops the oldest turns first and keeps the system prompt and the newest turns", () => {
    // sys 7 + three newest turns 24 = 31 tokens; window 40 - 8 reserved = 32.
    const fitted = fitToBudget(conversation, { contextWindow: 40, reservedOutputTokens: 8, countTokens });
    expect(fitted.messages).toEqual([system("sys"), user("cccc"), assistant("dddd"), user("eeee")]);
    expect(fitted.indices).toEqual([0, 3, 4, 5]);
    expect(fitted.dropped).toBe(2);
    expect(fitted.fits).toBe(true);
    expect(fitted.tokens).toBe(31);
  });

  it("keeps the newest turns contiguous: it never skips a big turn to keep an older small one", () => {
    const messages = [user("a"), assistant("x".repeat(50)), user("b")];
    const fitted = fitToBudget(messages, { contextWindow: 20, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("b")]);
    expect(fitted.dropped).toBe(2);
  });

  it("drops a tool call together with its results, never one without the other", () => {
    // A tool exchange still in progress: its question stays, its oldest calls go first.
    const messages = [user("q1"), toolCall("c1", "f", "{}"), toolResult("c1", "r".repeat(20)), toolResult("c1", "s"), toolCall("c2", "g", "{}"), toolResult("c2", "t")];
    // q1 6 + the newest call group (14 + 5) = 25; the first call group (14 + 24 + 5 = 43) does not fit
    // in 60, although its results alone (29) would.
    const fitted = fitToBudget(messages, { contextWindow: 60, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("q1"), toolCall("c2", "g", "{}"), toolResult("c2", "t")]);
    expect(fitted.indices).toEqual([0, 4, 5]);
    expect(fitted.dropped).toBe(3);

    const roomy = fitToBudget(messages, { contextWindow: 68, reservedOutputTokens: 0, countTokens });
    expect(roomy.messages).toEqual(messages);
  });

  it("drops tool results whose call is no longer in the history", () => {
    const fitted = fitToBudget([toolResult("gone", "r"), user("q")], { contextWindow: 100, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([user("q")]);
    expect(fitted.dropped).toBe(1);
  });

  it("keeps system messages wherever they are", () => {
    const messages = [user("old".repeat(10)), system("mid"), user("new")];
    const fitted = fitToBudget(messages, { contextWindow: 20, reservedOutputTokens: 0, countTokens });
    expect(fitted.messages).toEqual([system("mid"), user("new")]);
  });

  it("says it does not fit when even the system prompt and the newest turn are too large", () => {
    const fitted = fitToBudget([system("s".repeat(30)), user("old"), user("newest".repeat(5))], { contextWindow: 50, reservedOutputTokens: 10, countTokens });
    expect(fitted.fits).toBe(false);
    expect(fitted.messages).toEqual([system("s".repeat(30)), user("newest".repeat(5))]);
    expect(fitted.dropped).toBe(1);
    const options = { contextWindow: 50, reservedOutputTokens: 10, countTokens };
    expect(contextLengthExceeded(fitted, options).toJSON()).toEqual({
      error: { message: expect.stringContaining("maximum context length is 50 tokens"), type: "invalid_request_error", code: "context_length_exceeded", param: "messages" },
    });
  });

  describe("with a cheap upper bound", () => {
    const atMost = (m: ChatMessage) => countTokens(m) * 2;

    it("counts nothing when the conversation fits by the bound", () => {
      let counted = 0;
      const counting = (m: ChatMessage) => (counted++, countTokens(m));
      const fitted = fitToBudget(conversation, { contextWindow: 1000, reservedOutputTokens: 100, countTokens: counting, tokensAtMost: atMost });
      expect(counted).toBe(0);
      expect(fitted.messages).toEqual(conversation);
      expect(fitted.dropped).toBe(0);
      expect(fitted.fits).toBe(true);
      expect(fitted.tokens).toBeGreaterThanOrEqual(7 + 5 * 8);
    });

    it("counts exactly when the bound is over the window, and keeps what really fits", () => {
      // Exact: 47 tokens (fits in 50); by the bound: 94 (does not).
      const fitted = fitToBudget(conversation, { contextWindow: 50, reservedOutputTokens: 0, countTokens, tokensAtMost: atMost });
      expect(fitted).toEqual({ messages: conversation, indices: [0, 1, 2, 3, 4, 5], dropped: 0, tokens: 47, fits: true });
      const tight = fitToBudget(conversation, { contextWindow: 40, reservedOutputTokens: 8, countTokens, tokensAtMost: atMost });
      expect(tight.dropped).toBe(2);
    });

    it("counts exactly when a message has no bound", () => {
      let counted = 0;
      const counting = (m: ChatMessage) => (counted++, countTokens(m));
      const partial = (m: ChatMessage) => (m.role === "system" ? undefined : atMost(m));
      const fitted = fitToBudget(conversation, { contextWindow: 1000, reservedOutputTokens: 100, countTokens: counting, tokensAtMost: partial });
      expect(counted).toBe(conversation.length);
      expect(fitted).toEqual({ messages: conversation, indices: [0, 1, 2, 3, 4, 5], dropped: 0, tokens: 47, fits: true });
    });

    it("still drops a tool result whose call is gone, however much room there is", () => {
      const fitted = fitToBudget([toolResult("gone", "r"), user("q")], { contextWindow: 1000, reservedOutputTokens: 0, countTokens, tokensAtMost: atMost });
      expect(fitted.messages).toEqual([user("q")]);
      expect(fitted.dropped).toBe(1);
      const answered = [user("q"), toolCall("c1", "f", "{}"), toolResult("c1", "r"), assistant("a")];
      expect(fitToBudget(answered, { contextWindow: 1000, reservedOutputTokens: 0, countTokens, tokensAtMost: atMost }).messages).toEqual(answered);
    });
  });
});
