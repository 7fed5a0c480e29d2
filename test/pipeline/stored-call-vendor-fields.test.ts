/**
 * Which provider a stored call's vendor fields (Gemini's `extra_content`) go to: the one that wrote
 * the call, as its turn records it; for a turn stored before turns recorded the provider, the provider
 * its model has in models.yaml. The end-to-end behaviour is in
 * test/gateway/session-vendor-fields-across-providers.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolCall } from "../../src/api/chat-request.js";
import type { GatewayConfig } from "../../src/config/load.js";
import { ModelsFileSchema, type ProviderConfig } from "../../src/config/models-schema.js";
import { sessionScope } from "../../src/context/session-id.js";
import type { TurnMeta } from "../../src/context/turn.js";
import { createPiiEngine, createSanitizer, type Sanitizer } from "../../src/pii/index.js";
import { loadConversation, type Conversation } from "../../src/pipeline/stages/conversation.js";
import { prepareCall } from "../../src/pipeline/stages/prepare.js";
import { saveTurn } from "../../src/pipeline/stages/save.js";
import { createProviderSet } from "../../src/providers/provider-set.js";
import { memoryStorage } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { silentLog, testRegistry } from "../usage/fixtures.js";
import { sessionRequest } from "./session-request.js";

const TOOLS = { tools: true, json_schema: true, vision: false };
const models = ModelsFileSchema.parse({
  providers: {
    openai: { type: "openai_compatible", base_url: "https://api.example.test/v1" },
    gemini: { type: "openai_compatible", base_url: "https://gemini.example.test/v1" },
  },
  models: {
    "gpt-4o-mini": { provider: "openai", capabilities: TOOLS },
    "gpt-4o": { provider: "openai", capabilities: TOOLS },
    "gemini-flash": { provider: "gemini", capabilities: TOOLS },
    "gemini-pro": { provider: "gemini", capabilities: TOOLS },
  },
  defaults: { cloud: "gpt-4o-mini", baseline: "gpt-4o" },
});
const registry = testRegistry(models);
const config = { providers: models.providers as Record<string, ProviderConfig>, registry, secrets: {} } as unknown as GatewayConfig;
const providers = createProviderSet(config, silentLog);
const policy = policyWith({});
const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
const EXTRA = { google: { thought_signature: "c2lnbmF0dXJl" } };
const CALL = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" } };

/**
 * What the next request of a session sends `target` (as prepared for it, PII scan included), after a
 * turn stored with `meta` whose call is `call`; and how many PII scans of the conversation it took.
 */
async function sentTo(target: string, meta: TurnMeta, call: ToolCall = { ...CALL, extra_content: EXTRA }): Promise<{ call: unknown; text: string; scans: number }> {
  const store = await memoryStorage().replica();
  const ctx = sessionRequest({ requestId: "r2", tenantId: "acme", sessionId: "s", messages: [{ role: "tool", tool_call_id: CALL.id, content: "Found." }] });
  const turns: ChatMessage[] = [{ role: "user", content: "Look it up for ann.lee@example.com." }, { role: "assistant", content: null, tool_calls: [call] }];
  await store.save(sessionScope(ctx.tenant, "s")!, { turns: turns.map((message) => ({ message, meta })), ifEpoch: null });
  return prepareFor(target, await loadConversation(ctx, store, "raw"));
}

async function prepareFor(target: string, conversation: Conversation): Promise<{ call: unknown; text: string; scans: number }> {
  let scans = 0;
  const counted: Sanitizer = Object.assign(Object.create(sanitizer) as Sanitizer, {
    sanitizeForCloud: (...args: Parameters<Sanitizer["sanitizeForCloud"]>) => (scans++, sanitizer.sanitizeForCloud(...args)),
  });
  let scan: ReturnType<Sanitizer["sanitizeForCloud"]> | undefined;
  const cloudScan = () => (scan ??= counted.sanitizeForCloud(conversation.request, { vault: conversation.state.vault, tenant: "acme" }));
  // The analysis scans the conversation first (the personal data it holds is a routing feature).
  cloudScan();
  const prepared = prepareCall(registry.get(target)!, conversation, cloudScan, { maxTokens: undefined, pii: "default" }, "acme", { providers, sanitizer: counted, registry });
  const assistant = prepared.request.messages.find((m) => m.role === "assistant");
  return { call: assistant?.role === "assistant" ? assistant.tool_calls?.[0] : undefined, text: JSON.stringify(prepared.request), scans };
}
const callSentTo = async (target: string, meta: TurnMeta): Promise<unknown> => (await sentTo(target, meta)).call;

describe("a stored call's vendor fields", () => {
  it("go to another model of the provider the turn records, and to no other provider", async () => {
    const meta = { at: 1, route: "cloud", model: "gemini-flash", provider: "gemini" };
    expect(await callSentTo("gemini-pro", meta)).toEqual({ ...CALL, extra_content: EXTRA });
    expect(await callSentTo("gpt-4o", meta)).toEqual(CALL);
  });

  it("follow the recorded provider, not the one the model has in models.yaml now", async () => {
    // The model moved to the openai provider since the turn was stored.
    expect(await callSentTo("gpt-4o", { at: 1, route: "cloud", model: "gpt-4o-mini", provider: "gemini" })).toEqual(CALL);
    expect(await callSentTo("gemini-pro", { at: 1, route: "cloud", model: "gpt-4o-mini", provider: "gemini" })).toEqual({ ...CALL, extra_content: EXTRA });
  });

  it("of a turn stored before the provider was recorded go to its model's provider", async () => {
    const meta = { at: 1, route: "cloud", model: "gemini-flash" };
    expect(await callSentTo("gemini-pro", meta)).toEqual({ ...CALL, extra_content: EXTRA });
    expect(await callSentTo("gpt-4o-mini", meta)).toEqual(CALL);
    // Its model gone from models.yaml: no provider is known to take them.
    expect(await callSentTo("gemini-pro", { at: 1, route: "cloud", model: "retired" })).toEqual(CALL);
  });
});

describe("a stored call prepared for a target", () => {
  it("keeps `index`, a call's own field some servers send on a whole answer's call, for every provider", async () => {
    const meta = { at: 1, route: "cloud", model: "gemini-flash", provider: "gemini" };
    const indexed = { ...CALL, index: 0 } as ToolCall;
    expect((await sentTo("gpt-4o", meta, indexed)).call).toEqual(indexed);
    expect((await sentTo("gpt-4o", meta, { ...indexed, extra_content: EXTRA } as ToolCall)).call).toEqual(indexed);
  });

  it("is scanned for personal data once, with the conversation, also when its vendor fields are left out", async () => {
    const sent = await sentTo("gpt-4o", { at: 1, route: "cloud", model: "gemini-flash", provider: "gemini" });
    expect(sent.call).toEqual(CALL);
    expect(sent.text).not.toContain("ann.lee@example.com");
    expect(sent.text).toMatch(/<EMAIL_ADDRESS_\d+>/);
    expect(sent.scans).toBe(1);
  });
});

describe("a call the client sent itself", () => {
  it("is stored without a provider: its vendor fields go to the provider of the model that answered the request that stored it", async () => {
    const store = await memoryStorage().replica();
    const sent: ChatMessage[] = [
      { role: "user", content: "Look it up." },
      { role: "assistant", content: null, tool_calls: [{ ...CALL, extra_content: EXTRA }] },
      { role: "tool", tool_call_id: CALL.id, content: "Found." },
    ];
    const first = sessionRequest({ requestId: "r1", tenantId: "acme", sessionId: "sent", messages: sent });
    const facts = { route: "cloud" as const, model: "gpt-4o", provider: "openai", intent: undefined, sticky: null };
    await saveTurn(first, { store, sanitizer }, await loadConversation(first, store, "raw"), { role: "assistant", content: "Done." }, facts);
    const stored = await store.load({ tenantId: "acme", sessionId: "sent" });
    // The answering provider wrote the answer only.
    expect(stored.turns.map((turn) => turn.meta.provider)).toEqual([undefined, undefined, undefined, "openai"]);

    // Nothing says which provider wrote the client's call: it is read as gpt-4o's provider's, so the
    // Gemini provider gets it without its thought signature (and refuses it, unless the client resends it).
    const next = sessionRequest({ requestId: "r2", tenantId: "acme", sessionId: "sent", messages: [{ role: "user", content: "And now?" }] });
    const conversation = await loadConversation(next, store, "raw");
    expect((await prepareFor("gemini-pro", conversation)).call).toEqual(CALL);
    expect((await prepareFor("gpt-4o-mini", conversation)).call).toEqual({ ...CALL, extra_content: EXTRA });
  });
});
