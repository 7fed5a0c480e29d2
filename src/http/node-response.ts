import type { ServerResponse } from "node:http";
import type { Context } from "hono";

/**
 * The Node response behind a Hono context when the app runs on @hono/node-server; undefined under
 * `app.request()` (tests) and other runtimes, where callers use the web `Response` path instead.
 */
export function nodeResponse(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}
