/**
 * Sessions are named by the client's `x-session-id` header and always scoped to the caller's tenant:
 * the tenant id is part of every storage key, so no id a client sends can reach another tenant's data.
 */
import type { Tenant } from "../auth/api-keys.js";
import { invalidRequest } from "../errors.js";
import { SESSION_ID_HEADER } from "./headers.js";

/** UUIDs, ULIDs and similar tokens; no braces, so the id never breaks a Redis Cluster hash tag. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface SessionScope {
  tenantId: string;
  sessionId: string;
}

export function isValidSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

/**
 * Validates a session id, throwing an OpenAI-style 400 that names `param` when it is malformed.
 *
 * @example
 * parseSessionId("chat-42") // "chat-42"
 * parseSessionId("../x")    // throws GatewayError 400 invalid_session_id
 */
export function parseSessionId(raw: string, param: string = SESSION_ID_HEADER): string {
  if (!isValidSessionId(raw)) {
    throw invalidRequest(
      `Invalid session id: use 1-128 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-', starting with a letter or digit.`,
      param,
      "invalid_session_id",
    );
  }
  return raw;
}

/**
 * The session a request belongs to, or undefined when it sent no `x-session-id` (no stored context).
 *
 * @example
 * const scope = sessionScope(ctx.tenant, ctx.header("x-session-id"));
 */
export function sessionScope(tenant: Tenant, header: string | undefined): SessionScope | undefined {
  if (header === undefined || header === "") return undefined;
  return { tenantId: tenant.id, sessionId: parseSessionId(header) };
}

/**
 * The storage name of a session. The `{…}` hash tag makes every key of one session hash to the same
 * Redis Cluster slot (so one Lua script may touch them all); the tenant id is URI-encoded so it can
 * contain neither braces nor the `:` separating it from the session id.
 */
export function sessionKey(prefix: string, scope: SessionScope): string {
  return `${prefix}{${encodeURIComponent(scope.tenantId)}:${scope.sessionId}}`;
}
