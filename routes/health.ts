/**
 * `GET /healthz` (the process is up) and `GET /readyz` (each component's state, 503 until the
 * gateway can answer at least one route).
 */
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";
import type { ProviderStatus } from "../src/providers/types.js";

export interface ReadinessProbe {
  /** Component name → its status; providers are named `provider:<id>`. */
  components(): Promise<Record<string, ProviderStatus>>;
}

const PROVIDER_PREFIX = "provider:";

/** `scheme://user:pass@host/path?query#fragment`: the user info, query and fragment of a URL in text. */
const URL_SECRETS = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#]*@)?([^\s?#]*)(?:[?#][^\s]*)?/gi;

/**
 * /readyz is unauthenticated, and a provider's detail may be its base URL: one pointing at a proxy
 * behind basic auth (`https://user:pass@…`) or with a key in its query must not show them to anyone.
 */
const withoutUrlSecrets = (status: ProviderStatus): ProviderStatus => ({ ...status, detail: status.detail.replace(URL_SECRETS, "$1$2") });

export function healthRoutes(deps: { readiness: ReadinessProbe }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const components = Object.fromEntries(Object.entries(await deps.readiness.components()).map(([name, status]) => [name, withoutUrlSecrets(status)]));
    // Only a provider answers requests: a ready context store beside no usable model is not ready.
    const ready = Object.entries(components).some(([name, s]) => name.startsWith(PROVIDER_PREFIX) && s.state === "ready");
    return c.json({ status: ready ? "ready" : "not_ready", components }, ready ? 200 : 503);
  });
  return app;
}
