/**
 * Tool results that arrive after another request of the session had its turn: request A gets a tool
 * call back, request B of the same session stores a question and its answer meanwhile, then A's client
 * sends only its result. Stored in arrival order, the result followed B's exchange: the budget dropped
 * it as an orphan and the call went upstream without it, which a provider refuses — in that request
 * and every later one of the session. What is sent now keeps the call and its result together, and a
 * call whose result never comes is left out once the conversation moves on. Redis and memory.
 */
import { describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { fitToBudget } from "../../src/context/budget.js";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { memoryStorage, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { sessionRequest } from "./session-request.js";

const url = inject("redisUrl");
const facts: TurnFacts = { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null };
const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const call = (id: string): ChatMessage => ({ role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] });
const result = (id: string, content: string): ChatMessage => ({ role: "tool", tool_call_id: id, content });

/** What would go upstream: roles, with the call id or the text. */
const sent = (messages: readonly ChatMessage[]) => {
  const fitted = fitToBudget(messages, { contextWindow: 100_000, reservedOutputTokens: 100, countTokens: () => 10 });
  return fitted.messages.map((m) => `${m.role}:${m.role === "assistant" && m.tool_calls ? `call ${m.tool_calls[0]!.id}` : m.role === "tool" ? `result ${m.tool_call_id}` : String(m.content)}`);
};

describe.each([
  { backend: "Redis", storage: () => redisStorage(url, "test:late-tool-results:") },
  { backend: "in-memory", storage: () => memoryStorage() },
])("$backend: a tool result sent after another request's turn", ({ storage }) => {
  const openStorage = storagePerTest(storage);
  const policy = policyWith({ context_storage: "raw" });
  const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" } });

  async function session() {
    const store = await openStorage().replica();
    const id = `late-${Math.random().toString(36).slice(2)}`;
    let n = 0;
    const request = (messages: ChatMessage[]) => sessionRequest({ requestId: `r${++n}`, tenantId: "acme", sessionId: id, messages });
    const turn = async (messages: ChatMessage[], answer: ChatMessage) => {
      const ctx = request(messages);
      const conversation = await loadConversation(ctx, store, "raw");
      await saveTurn(ctx, { store, sanitizer }, conversation, answer, facts);
      return conversation.request.messages;
    };
    // A asks, B asks while A is answered; A's call is saved, then B's answer.
    const a = request([user("Weather in Paris?")]);
    const b = request([user("And what time is it?")]);
    const [aSeen, bSeen] = [await loadConversation(a, store, "raw"), await loadConversation(b, store, "raw")];
    await saveTurn(a, { store, sanitizer }, aSeen, call("call_1"), facts);
    await saveTurn(b, { store, sanitizer }, bSeen, assistant("Noon."), facts);
    return { turn };
  }

  it("sends the call with its result, the other exchange before them, in that request and the next", async () => {
    const { turn } = await session();
    const withResult = await turn([result("call_1", "18C, sunny")], assistant("18C and sunny in Paris."));
    expect(sent(withResult)).toEqual(["user:And what time is it?", "assistant:Noon.", "user:Weather in Paris?", "assistant:call call_1", "tool:result call_1"]);
    const next = await turn([user("Thanks!")], assistant("You're welcome."));
    expect(sent(next)).toEqual([
      "user:And what time is it?",
      "assistant:Noon.",
      "user:Weather in Paris?",
      "assistant:call call_1",
      "tool:result call_1",
      "assistant:18C and sunny in Paris.",
      "user:Thanks!",
    ]);
  });

  it("leaves out a call whose result never came once the conversation moves on", async () => {
    const { turn } = await session();
    const next = await turn([user("Never mind the weather.")], assistant("Sure."));
    expect(sent(next)).toEqual(["user:Weather in Paris?", "user:And what time is it?", "assistant:Noon.", "user:Never mind the weather."]);
  });
});
