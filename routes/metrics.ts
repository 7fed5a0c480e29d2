/**
 * `GET /metrics`: Prometheus text exposition. It carries no tenant data (see `src/usage/metrics.ts`),
 * so like most exporters it is unauthenticated; restrict it at the network if models or volumes are
 * sensitive.
 */
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";
import type { Metrics } from "../src/usage/metrics.js";

export function metricsRoutes(deps: { metrics: Metrics }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/metrics", async (c) => c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.contentType, "cache-control": "no-store" }));
  return app;
}
