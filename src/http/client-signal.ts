import type { Context } from "hono";
import { nodeResponse } from "./node-response.js";

/**
 * A signal aborted when the client goes away before the response is complete. On Node it listens
 * to the response's `close` directly: `c.req.raw.signal` would make @hono/node-server build a full
 * web Request (headers, body stream) for every request just to hand out its signal.
 */
export function clientSignal(c: Context): AbortSignal {
  const outgoing = nodeResponse(c);
  if (!outgoing) return c.req.raw.signal;
  const controller = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) controller.abort(new DOMException("The client closed the connection.", "AbortError"));
  });
  return controller.signal;
}
