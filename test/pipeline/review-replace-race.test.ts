/**
 * Two requests of one session in flight at once, one of them resending a history that departs from
 * the stored one (the client edited or regenerated a turn: its history replaces the stored turns).
 * The other request only continues the conversation, and saves first. Its turns continue the stored
 * history the rewrite departs from, so the rewrite replaces them too — the session reads as if the
 * other request had finished before the rewrite was sent — also when the rewrite has to save again
 * after a state conflict, and the vault keeps every placeholder handed out. Run against Redis and memory.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, type PiiEngine, type PiiPolicy, type Sanitizer } from "../../src/pii/index.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { readSessionState } from "../../src/pipeline/session-state.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { contents, memoryStorage, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { sessionRequest } from "./session-request.js";

const url = inject("redisUrl");
const ENV = { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" };
const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });

const GREETING = "Hello there";
const FIRST_ANSWER = "Hi! How can I help?";
const ASK_ANN = "Please draft a short note to Maria Gonzalez about the overdue invoice.";
const ASK_BOB = "Please draft a short note to John Smith about the new office.";

let engine: PiiEngine;
let policies: Record<"raw" | "sanitized", PiiPolicy>;
beforeAll(() => {
  policies = { raw: policyWith({ context_storage: "raw" }), sanitized: policyWith({ context_storage: "sanitized" }) };
  engine = createPiiEngine(policies.sanitized);
});

function request(sessionId: string, messages: ChatMessage[]): ChatRequestContext {
  return sessionRequest({ requestId: `req-${messages.length}`, tenantId: "acme", sessionId, messages });
}

const facts = (target: string): TurnFacts => ({ route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: { target, turnsLeft: 2 } });

describe.each([
  { backend: "Redis", storage: () => redisStorage(url, "test:review-replace-race:") },
  { backend: "in-memory", storage: () => memoryStorage() },
])("$backend: a rewritten history saved while another request of the session continued it", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  /**
   * Stores a first exchange, then: the rewrite loads, the continuation loads, saves, and only then
   * the rewrite saves. Returns the stored conversation and the state.
   */
  async function race(storageMode: "raw" | "sanitized") {
    const opened = openStorage();
    const store = await opened.replica();
    const sanitizer: Sanitizer = createSanitizer({ policy: policies[storageMode], engine, env: ENV });
    const deps = { store, sanitizer };
    const id = `race-${storageMode}`;

    const opening = request(id, [user(GREETING)]);
    await saveTurn(opening, deps, await loadConversation(opening, store, storageMode), assistant(FIRST_ANSWER), facts("gpt"));

    // The first answer regenerated, then a new question: the stored tail is not in this history.
    const rewrite = request(id, [user(GREETING), assistant("Hello! What do you need?"), user(ASK_BOB)]);
    const continuation = request(id, [user(ASK_ANN)]);
    const rewriteSeen = await loadConversation(rewrite, store, storageMode);
    expect(rewriteSeen.merged.mode).toBe("diverged");
    const continuationSeen = await loadConversation(continuation, store, storageMode);
    expect(continuationSeen.merged.mode).toBe("continued");

    // Different sticky targets: both write the state, so the rewrite's save meets a state conflict.
    await saveTurn(continuation, deps, continuationSeen, assistant("Note to Maria drafted."), facts("gpt-a"));
    await saveTurn(rewrite, deps, rewriteSeen, assistant("Note to John drafted."), facts("gpt-b"));

    const loaded = await store.load({ tenantId: "acme", sessionId: id });
    return { texts: contents(loaded.turns) as string[], state: readSessionState(loaded.state).state };
  }

  it("stores the rewritten history alone when the rewrite's turns are saved despite the conflict (raw storage)", async () => {
    const { texts } = await race("raw");
    expect(texts).toEqual([GREETING, "Hello! What do you need?", ASK_BOB, "Note to John drafted."]);
  });

  it("stores the rewritten history alone when the rewrite saves again with the other's pseudonyms (sanitized storage)", async () => {
    // Both requests call their person <PERSON_1>: the rewrite's turns are not saved on the first try,
    // and are sanitized again with the vault the continuation stored.
    const { texts, state } = await race("sanitized");
    const bob = ASK_BOB.replace("John Smith", "<PERSON_2>");
    expect(texts).toEqual([GREETING, "Hello! What do you need?", bob, "Note to John drafted."]);
    expect(state.vault.valueOf("<PERSON_1>")).toBe("Maria Gonzalez");
    expect(state.vault.valueOf("<PERSON_2>")).toBe("John Smith");
  });
});
