/**
 * `GET /v1/sessions/{id}` returns the caller's stored conversation; `DELETE /v1/sessions/{id}` erases
 * it (right to be forgotten). Both are scoped to the caller's tenant: another tenant's session of the
 * same id is invisible, exactly as if it did not exist. An absent session answers 404 on both, so a
 * client can tell a typo from an erasure; repeating a DELETE is harmless. Requests of the session
 * still being answered when it is erased store nothing afterwards (the store's erasure mark), also
 * when the DELETE answered 404 because their first turn was not stored yet.
 */
import { Hono } from "hono";
import { parseSessionId, type SessionScope } from "../src/context/session-id.js";
import type { ContextStore } from "../src/context/store.js";
import type { StoredTurn } from "../src/context/turn.js";
import { DO_NOT_RETRY, GatewayError, unavailable } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import type { ChatMessage } from "../src/api/chat-request.js";
import type { PseudonymVault } from "../src/pii/index.js";
import { readSessionState, restoreStoredMessage } from "../src/pipeline/session-state.js";

export const sessionNotFound = (id: string) =>
  new GatewayError(`No session '${id}' exists for this API key.`, { status: 404, type: "not_found_error", code: "session_not_found", param: "id" });

const storeUnavailable = () => unavailable("The conversation store is unavailable; try again shortly.", "context_unavailable");

/** Sealed with a key no longer configured (or damaged): waiting will not make it readable. */
const sessionUnreadable = (id: string) =>
  new GatewayError(
    `The session '${id}' is stored but cannot be read with the gateway's current keys (sealed with a retired key, or damaged). DELETE /v1/sessions/${id} erases it, so the conversation can start over.`,
    { status: 500, type: "server_error", code: "session_unreadable", param: "id", headers: { ...DO_NOT_RETRY } },
  );

/**
 * A stored message as the client sent or received it: with `context_storage: sanitized` the store holds
 * placeholders, restored here through the session's vault exactly as the pipeline restores them. A
 * `raw` store holds the text as sent: restoring it would turn a placeholder the client typed into a value.
 */
const present = (turn: StoredTurn, vault: PseudonymVault | undefined) => ({
  ...(vault && vault.size > 0 ? restoreStoredMessage(turn.message, vault) : (turn.message as ChatMessage)),
  metadata: {
    created_at: Math.floor(turn.meta.at / 1000),
    ...(turn.meta.route !== undefined ? { route: turn.meta.route } : {}),
    ...(turn.meta.model !== undefined ? { model: turn.meta.model } : {}),
    ...(turn.meta.intent !== undefined ? { intent: turn.meta.intent } : {}),
    ...(turn.meta.requestId !== undefined ? { request_id: turn.meta.requestId } : {}),
  },
});

/** @param deps.storage pii.yaml's `context_storage` (only `sanitized` stores placeholders to restore). */
export function sessionRoutes(deps: { store: ContextStore; storage: "raw" | "sanitized" }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const scopeOf = (tenantId: string, id: string): SessionScope => ({ tenantId, sessionId: parseSessionId(id, "id") });

  app.get("/v1/sessions/:id", async (c) => {
    const id = c.req.param("id");
    const loaded = await deps.store.load(scopeOf(c.get("tenant").id, id));
    if (loaded.status === "degraded") throw loaded.reason === "unreadable" ? sessionUnreadable(id) : storeUnavailable();
    if (!loaded.exists) throw sessionNotFound(id);
    // An unreadable state restores nothing: the placeholders stay, no value is guessed.
    const vault = deps.storage === "sanitized" ? readSessionState(loaded.state).state.vault : undefined;
    const messages = [...loaded.instructions, ...loaded.turns].map((turn) => present(turn, vault));
    return c.json({ id, object: "session", messages });
  });

  app.delete("/v1/sessions/:id", async (c) => {
    const id = c.req.param("id");
    const erased = await deps.store.erase(scopeOf(c.get("tenant").id, id));
    if (erased.status === "degraded") throw storeUnavailable();
    if (erased.status === "absent") throw sessionNotFound(id);
    return c.json({ id, object: "session.deleted", deleted: true });
  });
  return app;
}
