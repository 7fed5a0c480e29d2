/**
 * Who is reading usage, and so what they may see. A tenant's API key shows that tenant's usage only;
 * the admin key (`SWITCHYARD_ADMIN_KEY`) shows every tenant's and may narrow it with `tenant=`.
 * Without configured API keys (development) every request is the anonymous tenant, which is then
 * all the usage there is.
 */
import { ANONYMOUS_TENANT, matchesSecret, type KeyRing } from "../auth/api-keys.js";
import { GatewayError } from "../errors.js";
import { bearerToken, invalidKey, missingKey } from "../http/middleware/auth.js";

export type UsageViewer = { kind: "admin" } | { kind: "tenant"; tenant: string };

export interface ViewerAuth {
  keys: KeyRing;
  /** `keyDigest(SWITCHYARD_ADMIN_KEY)`, when an admin key is configured. */
  adminKeyDigest?: string;
}

export function resolveViewer(auth: ViewerAuth, authorization: string | undefined): UsageViewer {
  const token = bearerToken(authorization);
  if (token !== undefined && auth.adminKeyDigest !== undefined && matchesSecret(token, auth.adminKeyDigest)) return { kind: "admin" };
  if (auth.keys.size === 0) return { kind: "tenant", tenant: ANONYMOUS_TENANT.id };
  if (token === undefined) throw missingKey();
  const tenant = auth.keys.lookup(token);
  if (!tenant) throw invalidKey();
  return { kind: "tenant", tenant: tenant.id };
}

/** The tenant a query covers (undefined: all), after checking the viewer may see it. */
export function scopeFor(viewer: UsageViewer, requestedTenant: string | undefined): string | undefined {
  if (viewer.kind === "admin") return requestedTenant;
  if (requestedTenant !== undefined && requestedTenant !== viewer.tenant) {
    throw new GatewayError("This API key may only read its own tenant's usage; the admin key reads every tenant's.", {
      status: 403,
      type: "permission_error",
      code: "tenant_forbidden",
      param: "tenant",
    });
  }
  return viewer.tenant;
}
