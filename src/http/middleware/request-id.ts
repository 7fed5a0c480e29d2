import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env.js";
import { nodeResponse } from "../node-response.js";

const CLIENT_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

/**
 * Echoes the client's `x-request-id` (when it is a sane token) or makes one, binds a request-scoped
 * logger to it and writes one access-log line per request — never with bodies or keys. Its `ms` is
 * the whole response, a stream's included (to its last frame), not the time to the first byte. A
 * stream's status is the 200 its client got first; `streamEnd` says whether it finished (`done`), its
 * client left, or it ended with an error event (that error's code, e.g. `shutting_down`).
 */
export function requestContext(options: { log: Logger }): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const offered = c.req.header("x-request-id");
    const requestId = offered && CLIENT_ID.test(offered) ? offered : randomUUID();
    const log = options.log.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const startedAt = performance.now();
    // On Node the header goes on the socket's response up front, where every response (errors and
    // streams too) picks it up; setting it on the finished web Response afterwards would make Hono
    // rebuild that Response and its headers for every request.
    const outgoing = nodeResponse(c);
    outgoing?.setHeader("x-request-id", requestId);
    await next();
    if (!outgoing) c.header("x-request-id", requestId);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - startedAt) * 100) / 100,
        tenant: c.get("tenant")?.id,
        streamEnd: c.get("streamEnd"),
      },
      "request",
    );
  };
}
