/**
 * `GET /healthz` (the process is up) and `GET /readyz` (each component's state, 503 until the
 * gateway can answer at least one route).
 */
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";
import { withoutUrlSecrets } from "../src/http/url-secrets.js";
import type { ProviderStatus } from "../src/providers/types.js";

export interface ReadinessProbe {
  /** Component name → its status; providers are named `provider:<id>`. */
  components(): Promise<Record<string, ProviderStatus>>;
}

const PROVIDER_PREFIX = "provider:";

/**
 * /readyz is unauthenticated, and a provider's detail may be its base URL: one pointing at a proxy
 * behind basic auth (`https://user:pass@…`) or with a key in its query must not show them to anyone.
 */
const shownStatus = (status: ProviderStatus): ProviderStatus => ({ ...status, detail: withoutUrlSecrets(status.detail) });

export function healthRoutes(deps: { readiness: ReadinessProbe }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const components = Object.fromEntries(Object.entries(await deps.readiness.components()).map(([name, status]) => [name, shownStatus(status)]));
    // Only a provider answers requests: a ready context store beside no usable model is not ready.
    const ready = Object.entries(components).some(([name, s]) => name.startsWith(PROVIDER_PREFIX) && s.state === "ready");
    return c.json({ status: ready ? "ready" : "not_ready", components }, ready ? 200 : 503);
  });
  return app;
}
