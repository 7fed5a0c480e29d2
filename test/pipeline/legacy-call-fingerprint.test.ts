/**
 * Sessions saved before the deprecated `function_call` was part of a turn's fingerprint: the turn was
 * stored with its call, its fingerprint without it. A client resending that history unchanged must
 * continue the session (overlap), not rewrite it: a rewrite drops the stored turns the client does
 * not resend and the stored turns' metadata. A call the client really changed still rewrites it.
 * Run against Redis and memory.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import type { ContextStore } from "../../src/context/store.js";
import { messageFingerprint, type TurnInput } from "../../src/context/turn.js";
import { createPiiEngine, createSanitizer, type Sanitizer } from "../../src/pii/index.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { contents, memoryStorage, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { sessionRequest } from "./session-request.js";

const url = inject("redisUrl");
const scope = { tenantId: "acme", sessionId: "legacy-call" };
const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const call = (name: string, args: string): ChatMessage => ({ role: "assistant", content: null, function_call: { name, arguments: args } });
const result: ChatMessage = { role: "function", name: "send_mail", content: "sent" };

const OPENING = [user("Good morning"), assistant("Good morning! What can I do?")];
const MAIL = [user("Mail the finance team that the invoice is paid."), call("send_mail", '{"to":"finance"}'), result, assistant("Done, the mail is sent.")];

let sanitizer: Sanitizer;
beforeAll(() => {
  const policy = policyWith({ context_storage: "raw" });
  sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: { SWITCHYARD_PII_HASH_KEY: "test-key-0123456789" } });
});

function request(messages: ChatMessage[]): ChatRequestContext {
  return sessionRequest({ requestId: "req-new", tenantId: scope.tenantId, sessionId: scope.sessionId, messages });
}

const facts: TurnFacts = { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null };

/**
 * Stores the turns as the versions before the call was fingerprinted did: the message with its
 * call, the fingerprint of the message without it (what the old digest saw).
 */
async function storeAsBefore(store: ContextStore, messages: ChatMessage[]): Promise<void> {
  const turns: TurnInput[] = messages.map((message) => {
    const { function_call: _call, ...withoutCall } = message as ChatMessage & { function_call?: unknown };
    return { message, visible: withoutCall as ChatMessage, meta: { at: 1_700_000_000_000, requestId: "req-old" } };
  });
  await store.save(scope, { turns });
}

describe.each([
  { backend: "Redis", storage: () => redisStorage(url, "test:legacy-call-fingerprint:") },
  { backend: "in-memory", storage: () => memoryStorage() },
])("$backend: a history stored before function_call was fingerprinted, resent by the client", ({ storage }) => {
  const openStorage = storagePerTest(storage);

  async function open(): Promise<ContextStore> {
    const opened = openStorage();
    const store = await opened.replica();
    await storeAsBefore(store, [...OPENING, ...MAIL]);
    const stored = await store.load(scope);
    // The stored call's fingerprint is the old one: it differs from what the client's copy hashes to now.
    expect(stored.turns[3]!.fingerprint).not.toBe(messageFingerprint(MAIL[1]!));
    return store;
  }

  it("continues the session: the turns the client left out and the stored metadata stay", async () => {
    const store = await open();
    // A client sending a window of recent messages: the opening exchange is not in it.
    const thanks = request([...MAIL, user("Thanks!")]);
    const seen = await loadConversation(thanks, store, "raw");
    expect(seen.merged.mode).toBe("overlap");
    expect(seen.request.messages).toEqual([...OPENING, ...MAIL, user("Thanks!")]);
    await saveTurn(thanks, { store, sanitizer }, seen, assistant("You're welcome."), facts);

    const loaded = await store.load(scope);
    expect(contents(loaded.turns)).toEqual(contents([...OPENING, ...MAIL, user("Thanks!"), assistant("You're welcome.")].map((message) => ({ message }))));
    expect(loaded.turns.slice(0, 6).map((t) => t.meta.requestId)).toEqual(Array(6).fill("req-old"));
  });

  it("still takes the client's version when it resends the call to another function", async () => {
    const store = await open();
    const edited = [MAIL[0]!, call("send_fax", '{"to":"finance"}'), { ...result, name: "send_fax" }];
    const seen = await loadConversation(request(edited), store, "raw");
    expect(seen.merged).toMatchObject({ mode: "diverged", replace: true });
  });
});
