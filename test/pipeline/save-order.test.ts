/**
 * The answer leaves once its save is sent, so the client's next turn loads after that save: with a
 * save of the same session still pending on the replica (another request's, or a redo after a
 * conflict), the new save's first try must not wait for it. It did while every save of a session ran
 * one at a time: B's next turn loaded without B's exchange (and a tool call's results then reached
 * the model without their call).
 */
import { describe, expect, inject, it } from "vitest";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { loadConversation } from "../../src/pipeline/stages/conversation.js";
import { saveTurn, type TurnFacts } from "../../src/pipeline/stages/save.js";
import { contents, redisStorage, storagePerTest } from "../context/support.js";
import { policyWith } from "../pii/support.js";
import { sessionRequest } from "./session-request.js";

const facts: TurnFacts = { route: "cloud", model: "gpt", provider: "openai", intent: undefined, sticky: null };

// Redis only: the in-memory store answers within the same microtasks, so a queued save would still
// land before the next turn's load and the test could not tell.
describe("Redis: two answers of one session saved at once", () => {
  const openStorage = storagePerTest(() => redisStorage(inject("redisUrl"), "test:save-order:"));

  it("the next turn, sent once the second answer is out, loads both exchanges", async () => {
    const store = await openStorage().replica();
    const policy = policyWith({});
    const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
    const sessionId = `order-${Math.random().toString(36).slice(2)}`;
    const a = sessionRequest({ requestId: "a", tenantId: "acme", sessionId, messages: [{ role: "user", content: "A?" }] });
    const b = sessionRequest({ requestId: "b", tenantId: "acme", sessionId, messages: [{ role: "user", content: "B?" }] });
    const aSeen = await loadConversation(a, store, "raw");
    const bSeen = await loadConversation(b, store, "raw");
    // Saved in the background, as the pipeline does; each answer is written once the microtasks ran.
    const saves = [saveTurn(a, { store, sanitizer }, aSeen, { role: "assistant", content: "A!" }, facts), saveTurn(b, { store, sanitizer }, bSeen, { role: "assistant", content: "B!" }, facts)];
    await new Promise((resolve) => setImmediate(resolve));
    const next = await store.load({ tenantId: "acme", sessionId });
    await Promise.all(saves);
    expect(contents(next.turns)).toEqual(["A?", "A!", "B?", "B!"]);
  });
});
