/**
 * `GET /healthz` (the process is up) and `GET /readyz` (each component's state, 503 until the
 * gateway can answer at least one route).
 */
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";
import type { ProviderStatus } from "../src/providers/types.js";

export interface ReadinessProbe {
  /** Component name → its status. */
  components(): Promise<Record<string, ProviderStatus>>;
}

export function healthRoutes(deps: { readiness: ReadinessProbe }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const components = await deps.readiness.components();
    const ready = Object.values(components).some((s) => s.state === "ready");
    return c.json({ status: ready ? "ready" : "not_ready", components }, ready ? 200 : 503);
  });
  return app;
}
