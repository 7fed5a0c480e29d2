/**
 * A save redone after a conflict, against what the session stores by then (review findings on the
 * redo that prunes against the conflict's stored text):
 * - instructions another request stored name a value again: the redo pruned against the instructions
 *   it loaded, and the stored system prompt read back as the bare placeholder;
 * - a rewrite (`replace`) whose turns are stored redid its state ignoring the turns stored after it;
 * - a turn whose first try conflicted, resent and stored by the client's next request, was stored
 *   again by the redo: a tool call twice, the history ending on an unanswered call;
 * - a rewrite whose first try conflicted replaced the history again in its redo, dropping the
 *   client's next turn, stored meanwhile with the rewrite in it;
 * - a redo took turns it had loaded (the same words, stored by another request just after this one
 *   arrived) for its own, stored meanwhile, and dropped its turn;
 * - a client's retry (same `x-request-id`) on another replica stored the question, and the redo
 *   stored it a second time;
 * - a client that sends only new turns sent a tool call's result, stored by another replica before
 *   the redo stored the call: the next request's history had the result before its call;
 * - the turns the client's next request resent were first in the session once the store trimmed the
 *   older ones, and the redo took that request for a rewrite and stored them a second time.
 * Redis and in-memory; the turns each saved as the pipeline does.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import type { ContextStore } from "../../src/context/store.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { createPiiEngine, createSanitizer, type Sanitizer } from "../../src/pii/index.js";
import { readSessionState, restoreStoredMessage } from "../../src/pipeline/session-state.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { memoryStorage, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { numberedRequests, sessionRequest } from "./session-request.js";

const ENV = { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" };
const EMAIL = "jane.doe@example.com";
const user = (content: string): ChatMessage => ({ role: "user", content });
const system = (content: string): ChatMessage => ({ role: "system", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const call: ChatMessage = { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] };
const result: ChatMessage = { role: "tool", tool_call_id: "c1", content: "order 42" };
const facts: TurnFacts = { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null };

const request = numberedRequests("redo");
let sanitizer: Sanitizer;
beforeAll(() => {
  const policy = policyWith({ context_storage: "sanitized" });
  sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: ENV });
});

/** A request answered as the pipeline does on `replica`: its conversation loaded, then its turn saved. */
async function loadAndSave(replica: ContextStore, ctx: ChatRequestContext, answer: ChatMessage): Promise<void> {
  await saveTurn(ctx, { store: replica, sanitizer }, await loadConversation(ctx, replica, "sanitized"), answer, facts);
}

/** A store whose first conflicting save of a matching write runs `meanwhile` before answering. */
function withMeanwhile(store: ContextStore, when: (write: Parameters<ContextStore["save"]>[1]) => boolean, meanwhile: () => Promise<void>): ContextStore {
  let ran = false;
  return {
    ...store,
    async save(scope, write) {
      const saved = await store.save(scope, write);
      if (!ran && saved.status === "conflict" && when(write)) {
        ran = true;
        await meanwhile();
      }
      return saved;
    },
  };
}

describe.each([
  { backend: "Redis", storage: (maxTurns: number) => redisStorage(inject("redisUrl"), "test:save-redo:", { maxTurns }) },
  { backend: "in-memory", storage: (maxTurns: number) => memoryStorage({ maxTurns }) },
])("$backend: a save redone after a conflict", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  async function session(maxTurns: number) {
    const opened = openStorage(maxTurns);
    const store = await opened.replica();
    const other = await opened.replica();
    const id = `redo-${Math.random().toString(36).slice(2)}`;
    const turn = async (question: string, answer: string) => {
      const ctx = request(id, [user(question)]);
      await loadAndSave(store, ctx, assistant(answer));
    };
    const restored = async () => {
      const after = await store.load({ tenantId: "acme", sessionId: id });
      const vault = readSessionState(after.state).state.vault;
      const read = (t: { message: ChatMessage }) => restoreStoredMessage(t.message, vault);
      return { turns: after.turns.map(read), instructions: after.instructions.map(read) };
    };
    /**
     * Loads A, then lets C — loaded beside it — save first, naming a new address: C changes the
     * state, so A's first try conflicts.
     */
    const loadBehindAnother = async (a: ChatRequestContext) => {
      const c = request(id, [user("Also mail bob@example.org.")]);
      const aSeen = await loadConversation(a, store, "sanitized");
      const cSeen = await loadConversation(c, store, "sanitized");
      await saveTurn(c, { store, sanitizer }, cSeen, assistant("Mailed."), facts);
      return aSeen;
    };
    return { store, other, id, turn, restored, loadBehindAnother };
  }

  it("keeps a value that instructions stored by another request name again", async () => {
    const { store, id, turn, restored } = await session(4);
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    await turn("Thanks.", "You're welcome.");
    // Four turns at most: the exchange naming the address is trimmed; the vault still holds it.
    await turn("One more thing.", "Sure.");
    const a = request(id, [system(`Always copy ${EMAIL}.`), user("Noted?")]);
    const b = request(id, [user("What time is it?")]);
    const aSeen = await loadConversation(a, store, "sanitized");
    const bSeen = await loadConversation(b, store, "sanitized");
    await saveTurn(a, { store, sanitizer }, aSeen, assistant("Noted."), facts);
    await saveTurn(b, { store, sanitizer }, bSeen, assistant("Noon."), facts);
    expect((await restored()).instructions.map((m) => m.content)).toEqual([`Always copy ${EMAIL}.`]);
  });

  it("keeps a value named by a turn stored after a rewrite whose redo runs later", async () => {
    const { store, other, id, turn, restored, loadBehindAnother } = await session(1000);
    await turn("Hello.", "Hi.");
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    // R1 rewrites the history, dropping the e-mail exchange; C, loaded with it, saves first.
    const r1 = request(id, [user("Hello."), assistant("Hi."), user("What time is it?")]);
    const r1Seen = await loadBehindAnother(r1);
    expect(r1Seen.merged.replace).toBe(true);
    // R1's first try stores its turns but conflicts on the state; R3 names the address again, on
    // another replica, before R1's redo.
    const hooked = withMeanwhile(
      store,
      (write) => write.replace === true,
      async () => {
        const r3 = request(id, [user(`Copy ${EMAIL} again, please.`)]);
        await loadAndSave(other, r3, assistant("Copied."));
      },
    );
    await saveTurn(r1, { store: hooked, sanitizer }, r1Seen, assistant("Noon."), facts);
    expect((await restored()).turns.map((m) => m.content)).toEqual(["Hello.", "Hi.", "What time is it?", "Noon.", `Copy ${EMAIL} again, please.`, "Copied."]);
  });

  it("does not store again a turn the client's next request resent and stored while its save waited", async () => {
    const { store, other, id, turn, restored, loadBehindAnother } = await session(1000);
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    const a = request(id, [user(`Look up ${EMAIL}'s order.`)]);
    const aSeen = await loadBehindAnother(a);
    // A's answer is a tool call; its first try conflicts, and its client sends the call's result with
    // the whole history, answered on another replica before A's redo.
    const hooked = withMeanwhile(
      store,
      () => true,
      async () => {
        const history = [user(`Please email ${EMAIL} the invoice.`), assistant("Sent."), user("Also mail bob@example.org."), assistant("Mailed."), user(`Look up ${EMAIL}'s order.`), call, result];
        const b = request(id, history);
        await loadAndSave(other, b, assistant("It is order 42."));
      },
    );
    await saveTurn(a, { store: hooked, sanitizer }, aSeen, call, facts);
    const turns = (await restored()).turns;
    expect(turns.map((m) => m.content)).toEqual([`Please email ${EMAIL} the invoice.`, "Sent.", "Also mail bob@example.org.", "Mailed.", `Look up ${EMAIL}'s order.`, null, "order 42", "It is order 42."]);
    expect(turns[5]).toMatchObject({ tool_calls: [{ id: "c1" }] });
  });

  it("does not rewrite the history again when the client's next request stored the rewrite while its save waited", async () => {
    const { store, other, id, turn, restored, loadBehindAnother } = await session(1000);
    await turn("Hello.", "Hi.");
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    // R1 edits the e-mail turn (its turns name the stored address, so they wait on the state); C,
    // loaded with the old history, changes the state first: R1's first try stores nothing.
    const edited = user(`Please email ${EMAIL} the receipt.`);
    const r1 = request(id, [user("Hello."), assistant("Hi."), edited]);
    const r1Seen = await loadBehindAnother(r1);
    expect(r1Seen.merged.replace).toBe(true);
    // R1's client asks its next question with the whole history, answered on another replica.
    const hooked = withMeanwhile(
      store,
      (write) => write.replace === true,
      async () => {
        const r3 = request(id, [user("Hello."), assistant("Hi."), edited, assistant("Sent the receipt."), user("And the time?")]);
        await loadAndSave(other, r3, assistant("Noon."));
      },
    );
    await saveTurn(r1, { store: hooked, sanitizer }, r1Seen, assistant("Sent the receipt."), facts);
    expect((await restored()).turns.map((m) => m.content)).toEqual(["Hello.", "Hi.", `Please email ${EMAIL} the receipt.`, "Sent the receipt.", "And the time?", "Noon."]);
  });

  it("stores its turn when the same words stored just before its load are all that matches", async () => {
    const { store, id, turn, restored, loadBehindAnother } = await session(1000);
    await turn("Hello.", "Hi.");
    // A arrives; P, sending the same exchange and more, is answered and stored before A loads the session.
    const a = request(id, [user(`Thanks, ${EMAIL}.`)]);
    const p = request(id, [user(`Thanks, ${EMAIL}.`), assistant("You're welcome."), user("Bye.")]);
    await loadAndSave(store, p, assistant("Bye!"));
    const aSeen = await loadBehindAnother(a);
    // A's first try conflicts on C's state; its redo must still store it.
    await saveTurn(a, { store, sanitizer }, aSeen, assistant("You're welcome."), facts);
    expect((await restored()).turns.map((m) => m.content)).toEqual([
      "Hello.",
      "Hi.",
      `Thanks, ${EMAIL}.`,
      "You're welcome.",
      "Bye.",
      "Bye!",
      "Also mail bob@example.org.",
      "Mailed.",
      `Thanks, ${EMAIL}.`,
      "You're welcome.",
    ]);
  });

  it("does not store the question twice when the client's retry on another replica stored it while its save waited", async () => {
    const { store, other, id, turn, restored, loadBehindAnother } = await session(1000);
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    const asked = user(`When did ${EMAIL} order?`);
    const a = sessionRequest({ requestId: "client-req-7", tenantId: "acme", sessionId: id, messages: [asked] });
    const aSeen = await loadBehindAnother(a);
    // A's client timed out and retried with the same request id; the retry is answered (in other
    // words) and stored before A's redo.
    const hooked = withMeanwhile(
      store,
      () => true,
      async () => {
        const retry = sessionRequest({ requestId: "client-req-7", tenantId: "acme", sessionId: id, messages: [asked] });
        await loadAndSave(other, retry, assistant("On Monday, it seems."));
      },
    );
    await saveTurn(a, { store: hooked, sanitizer }, aSeen, assistant("On Monday."), facts);
    expect((await restored()).turns.map((m) => m.content)).toEqual([
      `Please email ${EMAIL} the invoice.`,
      "Sent.",
      "Also mail bob@example.org.",
      "Mailed.",
      `When did ${EMAIL} order?`,
      "On Monday, it seems.",
    ]);
  });

  it("sends the model a call its redo stored after the call's result (sent alone, stored meanwhile) before that result", async () => {
    const { store, other, id, turn, loadBehindAnother } = await session(1000);
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    const a = request(id, [user(`Look up ${EMAIL}'s order.`)]);
    const aSeen = await loadBehindAnother(a);
    // A's answer is a tool call; its first try conflicts, and its client sends only the result,
    // answered and stored on another replica before A's redo.
    const hooked = withMeanwhile(
      store,
      () => true,
      async () => {
        const b = request(id, [result]);
        await loadAndSave(other, b, assistant("It is order 42."));
      },
    );
    await saveTurn(a, { store: hooked, sanitizer }, aSeen, call, facts);
    const next = request(id, [user("Thanks.")]);
    const loaded = await loadConversation(next, store, "sanitized");
    const sent = loaded.merged.messages.map((m) => restoreStoredMessage(m, loaded.state.vault));
    expect(sent.map((m) => m.content)).toEqual([
      `Please email ${EMAIL} the invoice.`,
      "Sent.",
      "Also mail bob@example.org.",
      "Mailed.",
      `Look up ${EMAIL}'s order.`,
      null,
      "order 42",
      "It is order 42.",
      "Thanks.",
    ]);
  });

  it("does not store again a turn the next request resent when the store's trimming left nothing stored before it", async () => {
    const { store, other, id, turn, restored, loadBehindAnother } = await session(4);
    await turn(`Please email ${EMAIL} the invoice.`, "Sent.");
    const asked = user(`Look up ${EMAIL}'s order.`);
    const a = request(id, [asked]);
    const aSeen = await loadBehindAnother(a);
    // The next request's four turns are all the store keeps: its run starts the session.
    const hooked = withMeanwhile(
      store,
      () => true,
      async () => {
        const history = [user(`Please email ${EMAIL} the invoice.`), assistant("Sent."), user("Also mail bob@example.org."), assistant("Mailed."), asked, assistant("Order 42."), user("When does it ship?")];
        const b = request(id, history);
        await loadAndSave(other, b, assistant("Monday."));
      },
    );
    await saveTurn(a, { store: hooked, sanitizer }, aSeen, assistant("Order 42."), facts);
    expect((await restored()).turns.map((m) => m.content)).toEqual([`Look up ${EMAIL}'s order.`, "Order 42.", "When does it ship?", "Monday."]);
  });
});
