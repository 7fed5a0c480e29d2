import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env.js";

const CLIENT_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

/**
 * Echoes the client's `x-request-id` (when it is a sane token) or makes one, binds a request-scoped
 * logger to it and writes one access-log line per request — never with bodies or keys.
 */
export function requestContext(options: { log: Logger }): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const offered = c.req.header("x-request-id");
    const requestId = offered && CLIENT_ID.test(offered) ? offered : randomUUID();
    const log = options.log.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const startedAt = performance.now();
    await next();
    c.header("x-request-id", requestId);
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - startedAt) * 100) / 100, tenant: c.get("tenant")?.id },
      "request",
    );
  };
}
