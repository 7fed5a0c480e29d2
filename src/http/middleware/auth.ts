import type { MiddlewareHandler } from "hono";
import { ANONYMOUS_TENANT, type KeyRing } from "../../auth/api-keys.js";
import { GatewayError } from "../../errors.js";
import type { AppEnv } from "../app-env.js";

export const missingKey = () =>
  new GatewayError("You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", {
    status: 401,
    type: "authentication_error",
    code: "missing_api_key",
  });

export const invalidKey = () =>
  new GatewayError("Incorrect API key provided.", { status: 401, type: "authentication_error", code: "invalid_api_key" });

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() || undefined;
}

/**
 * With keys configured, every request needs a valid bearer key and is bound to its tenant; with none
 * (development), requests run as the anonymous tenant.
 */
export function apiKeyAuth(options: { keys: KeyRing }): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthMiddleware(c, next) {
    if (options.keys.size === 0) {
      c.set("tenant", ANONYMOUS_TENANT);
      return next();
    }
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw missingKey();
    const tenant = options.keys.lookup(token);
    if (!tenant) throw invalidKey();
    c.set("tenant", tenant);
    return next();
  };
}
