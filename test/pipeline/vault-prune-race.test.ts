/**
 * The vault follows the history: a save prunes the values its loaded history no longer names. Two
 * requests of one session in flight at once: B's history no longer names a value (its turn was
 * trimmed), so B's save prunes it; A, loaded before B saved, names that value again in its new turn
 * and reuses its placeholder. A's state is unchanged, so it used to be saved without any state guard:
 * its turn was stored naming a placeholder the stored vault no longer held, and read back as the bare
 * `<EMAIL_ADDRESS_1>`. A turn naming any placeholder is now saved only if the state is still the one
 * it was sanitized with; on a conflict it is sanitized again with the stored vault. Redis and memory.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { readSessionState, restoreStoredMessage } from "../../src/pipeline/session-state.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { contents, memoryStorage, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { sessionRequest } from "./session-request.js";

const url = inject("redisUrl");
const ENV = { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" };
const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const EMAIL = "jane.doe@example.com";

let engine: PiiEngine;
let policy: PiiPolicy;
beforeAll(() => {
  policy = policyWith({ context_storage: "sanitized" });
  engine = createPiiEngine(policy);
});

let requests = 0;
function request(sessionId: string, messages: ChatMessage[]): ChatRequestContext {
  return sessionRequest({ requestId: `req-${++requests}`, tenantId: "acme", sessionId, messages });
}

const facts: TurnFacts = { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null };

describe.each([
  { backend: "Redis", storage: () => redisStorage(url, "test:vault-prune-race:", { maxTurns: 4 }) },
  { backend: "in-memory", storage: () => memoryStorage({ maxTurns: 4 }) },
])("$backend: a value pruned by one request while another names it again", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  /** A session whose vault still holds the address after the turns naming it were trimmed away. */
  async function sessionPastTheAddress() {
    const store = await openStorage().replica();
    const deps = { store, sanitizer: createSanitizer({ policy, engine, env: ENV }) };
    const id = `prune-race-${Math.random().toString(36).slice(2)}`;
    const turn = async (question: string, answer: string) => {
      const ctx = request(id, [user(question)]);
      await saveTurn(ctx, deps, await loadConversation(ctx, store, "sanitized"), assistant(answer), facts);
    };
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    await turn("Thanks.", "You're welcome.");
    // Four turns at most: this save trims the exchange naming the address; the vault still holds it.
    await turn("One more thing.", "Sure.");
    return { store, deps, id };
  }

  it("stores the other request's turn with a placeholder the stored vault holds", async () => {
    const { store, deps, id } = await sessionPastTheAddress();
    const before = await store.load({ tenantId: "acme", sessionId: id });
    expect(contents(before.turns)).toEqual(["Thanks.", "You're welcome.", "One more thing.", "Sure."]);
    expect(readSessionState(before.state).state.vault.valueOf("<EMAIL_ADDRESS_1>")).toBe(EMAIL);

    // A and B load at once. B saves first, pruning the address; A names it again, then saves.
    const a = request(id, [user(`Actually, copy ${EMAIL} as well.`)]);
    const b = request(id, [user("What time is it?")]);
    const aSeen = await loadConversation(a, store, "sanitized");
    const bSeen = await loadConversation(b, store, "sanitized");
    await saveTurn(b, deps, bSeen, assistant("Noon."), facts);
    expect(readSessionState((await store.load({ tenantId: "acme", sessionId: id })).state).state.vault.valueOf("<EMAIL_ADDRESS_1>")).toBeUndefined();
    await saveTurn(a, deps, aSeen, assistant(`Copied ${EMAIL}.`), facts);

    const after = await store.load({ tenantId: "acme", sessionId: id });
    const vault = readSessionState(after.state).state.vault;
    const restored = after.turns.map((t) => restoreStoredMessage(t.message, vault).content);
    expect(restored).toEqual(["What time is it?", "Noon.", `Actually, copy ${EMAIL} as well.`, `Copied ${EMAIL}.`]);
    // Stored as a placeholder, never the address; and not the pruned number.
    const stored = JSON.stringify(after.turns.map((t) => t.message));
    expect(stored).not.toContain(EMAIL);
    expect(stored).not.toContain("EMAIL_ADDRESS_1>");
  });

  // The other order: A names the value again and saves first; B, redoing its save on A's state after
  // the conflict, pruned the value its own loaded history no longer named, and A's stored turn read
  // back as the bare placeholder.
  it("keeps a value another request's stored turn names when a save is redone after a conflict", async () => {
    const { store, deps, id } = await sessionPastTheAddress();

    const a = request(id, [user(`Actually, copy ${EMAIL} as well.`)]);
    const b = request(id, [user("What time is it?")]);
    const aSeen = await loadConversation(a, store, "sanitized");
    const bSeen = await loadConversation(b, store, "sanitized");
    await saveTurn(a, deps, aSeen, assistant(`Copied ${EMAIL}.`), facts);
    await saveTurn(b, deps, bSeen, assistant("Noon."), facts);

    const after = await store.load({ tenantId: "acme", sessionId: id });
    const vault = readSessionState(after.state).state.vault;
    const restored = after.turns.map((t) => restoreStoredMessage(t.message, vault).content);
    expect(restored).toEqual([`Actually, copy ${EMAIL} as well.`, `Copied ${EMAIL}.`, "What time is it?", "Noon."]);
  });

  // Two request streams of one session, each loading before the other saves: every save meets a
  // conflict. A redone save that kept the whole vault never pruned it, so it grew with every value the
  // conversation ever named until it passed max_bytes and saves failed.
  it("prunes under steady overlap, redoing against the history stored by then", async () => {
    const store = await openStorage().replica();
    const deps = { store, sanitizer: createSanitizer({ policy, engine, env: ENV }) };
    const id = `overlap-${Math.random().toString(36).slice(2)}`;
    let n = 0;
    const start = async () => {
      const i = n++;
      const ctx = request(id, [user(`Mail person${i}@example.com now.`)]);
      const seen = await loadConversation(ctx, store, "sanitized");
      return () => saveTurn(ctx, deps, seen, assistant(`Done ${i}.`), facts);
    };
    let pending = await start();
    for (let round = 0; round < 40; round++) {
      const next = await start();
      await pending();
      pending = next;
    }
    await pending();
    const after = await store.load({ tenantId: "acme", sessionId: id });
    const vault = readSessionState(after.state).state.vault;
    // Four turns kept (two exchanges, two addresses); a save prunes before the store trims, so one
    // or two more are still held.
    expect(after.turns).toHaveLength(4);
    expect(vault.size).toBeLessThanOrEqual(4);
    const restored = after.turns.map((t) => restoreStoredMessage(t.message, vault).content);
    expect(restored).toEqual(["Mail person39@example.com now.", "Done 39.", "Mail person40@example.com now.", "Done 40."]);
  });
});
