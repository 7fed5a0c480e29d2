/**
 * Which provider a stored call's vendor fields (Gemini's `extra_content`) go to: the one that wrote
 * the call, as its turn records it; for a turn stored before turns recorded the provider, the provider
 * its model has in models.yaml. The end-to-end behaviour is in
 * test/gateway/session-vendor-fields-across-providers.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { ModelsFileSchema } from "../../src/config/models-schema.js";
import { sessionScope } from "../../src/context/session-id.js";
import type { TurnMeta } from "../../src/context/turn.js";
import { loadConversation, requestFor } from "../../src/pipeline/stages/conversation.js";
import { memoryStorage } from "../context/support.js";
import { MODELS, testRegistry } from "../usage/fixtures.js";
import { sessionRequest } from "./session-request.js";

const registry = testRegistry(
  ModelsFileSchema.parse({
    ...MODELS,
    providers: { ...MODELS.providers, gemini: { type: "openai_compatible", base_url: "https://gemini.example.test/v1" } },
    models: { ...MODELS.models, "gemini-flash": { provider: "gemini" }, "gemini-pro": { provider: "gemini" } },
  }),
);
const EXTRA = { google: { thought_signature: "c2lnbmF0dXJl" } };
const CALL = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" } };

/** The call the next request of a session sends `target`, after a turn stored with `meta`. */
async function callSentTo(target: string, meta: TurnMeta): Promise<unknown> {
  const store = await memoryStorage().replica();
  const ctx = sessionRequest({ requestId: "r2", tenantId: "acme", sessionId: "s", messages: [{ role: "tool", tool_call_id: CALL.id, content: "Found." }] });
  const turns: ChatMessage[] = [{ role: "user", content: "Look it up." }, { role: "assistant", content: null, tool_calls: [{ ...CALL, extra_content: EXTRA }] }];
  await store.save(sessionScope(ctx.tenant, "s")!, { turns: turns.map((message) => ({ message, meta })), ifEpoch: null });
  const request = requestFor(await loadConversation(ctx, store, "raw"), registry.get(target)!, registry);
  const assistant = request.messages.find((m) => m.role === "assistant");
  return assistant?.role === "assistant" ? assistant.tool_calls?.[0] : undefined;
}

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
