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

export function healthRoutes(deps: { readiness: ReadinessProbe }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const components = await deps.readiness.components();
    // Only a provider answers requests: a ready context store beside no usable model is not ready.
    const ready = Object.entries(components).some(([name, s]) => name.startsWith(PROVIDER_PREFIX) && s.state === "ready");
    return c.json({ status: ready ? "ready" : "not_ready", components }, ready ? 200 : 503);
  });
  return app;
}
