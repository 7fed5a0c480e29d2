/**
 * The routing policy's admin API, behind the admin key (`SWITCHYARD_ADMIN_KEY`, sent as
 * `Authorization: Bearer <key>`):
 * - `GET /admin/policies`: the active version hash, when it went live, its files (with hashes), the last
 *   failed load (if the files on disk are currently invalid), reload counters and shadow-mode stats.
 * - `POST /admin/policies/reload`: loads the directory now — the same files a SIGHUP or the file watch
 *   reloads (routing, intents, budgets; the gateway's `reload` decides). 200 `{ ok: true, changed,
 *   version }` when they are valid (swapped in if they changed; `changed` covers budgets too), with `warnings` when a file read at
 *   start-up only (models.yaml, pii.yaml, context.yaml) was edited since: a restart applies it; 422 with the problems (file:line:col)
 *   when one is not — each invalid file's previous content keeps serving.
 * Without an admin key configured, both answer 403: the admin API is off.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { keyDigest, matchesSecret } from "../src/auth/api-keys.js";
import { GatewayError } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { bearerToken } from "../src/http/middleware/auth.js";
import { POLICY_HEADER } from "../src/policy/fallback.js";
import type { PolicyStatus, ReloadResult, ReloadTrigger } from "../src/policy/store.js";
import { errorResponse, handleError } from "./errors.js";

/** What the routes need from the policy store (`PolicyStore` provides it; the gateway adds budgets.yaml to `reload`). */
export interface AdminPolicySource {
  status(): PolicyStatus;
  reload(trigger: ReloadTrigger): Promise<ReloadResult>;
}

export interface AdminPolicyDeps {
  store: AdminPolicySource;
  /** `SWITCHYARD_ADMIN_KEY`; undefined turns the admin API off (403). */
  adminKey: string | undefined;
}

const adminDisabled = () =>
  new GatewayError("The admin API is disabled: set SWITCHYARD_ADMIN_KEY to enable it.", { status: 403, type: "permission_error", code: "admin_disabled" });
const adminKeyMissing = () =>
  new GatewayError("This endpoint needs the admin key: send 'Authorization: Bearer <SWITCHYARD_ADMIN_KEY>'.", {
    status: 401,
    type: "authentication_error",
    code: "missing_admin_key",
  });
const adminKeyInvalid = () => new GatewayError("Incorrect admin key provided.", { status: 401, type: "authentication_error", code: "invalid_admin_key" });

/** Checks the bearer token against the admin key (digests compared in constant time). */
export function adminAuth(adminKey: string | undefined): MiddlewareHandler<AppEnv> {
  const expected = adminKey === undefined ? undefined : keyDigest(adminKey);
  return async function adminAuthMiddleware(c, next) {
    if (!expected) return errorResponse(adminDisabled());
    const token = bearerToken(c.req.header("authorization"));
    if (!token) return errorResponse(adminKeyMissing());
    if (!matchesSecret(token, expected)) return errorResponse(adminKeyInvalid());
    await next();
  };
}

export function adminPolicyRoutes(deps: AdminPolicyDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  const auth = adminAuth(deps.adminKey);
  app.use("/admin/policies", auth);
  app.use("/admin/policies/*", auth);

  app.get("/admin/policies", (c) => {
    const status = deps.store.status();
    return c.json(status, 200, { [POLICY_HEADER]: status.version, "cache-control": "no-store" });
  });

  app.post("/admin/policies/reload", async (c) => {
    const result = await deps.store.reload("admin");
    const headers = { [POLICY_HEADER]: result.version, "cache-control": "no-store" };
    if (result.ok) {
      const warnings = result.warnings ? { warnings: result.warnings } : {};
      return c.json({ ok: true, changed: result.changed, version: result.version, ...warnings }, 200, headers);
    }
    return c.json(
      {
        ok: false,
        version: result.version,
        error: {
          message: `The policy is invalid; the last good version of each invalid file keeps serving (routing policy ${result.version}).\n${result.error.message}`,
          type: "invalid_request_error",
          code: "policy_invalid",
          param: null,
          problems: result.error.problems,
          at: result.error.at,
        },
      },
      422,
      headers,
    );
  });
  return app;
}
