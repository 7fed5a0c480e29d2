import type { Context } from "hono";
import { clientClosed } from "../errors.js";
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
    // A typed reason: providers that reject with it (the local queue and generation do) make the
    // request a 499 in usage, metrics and the access log instead of an unexplained 500.
    if (!outgoing.writableFinished) controller.abort(clientClosed());
  });
  return controller.signal;
}

/** Whether the client went away before its response was complete (never, outside Node). */
export function clientGone(c: Context): boolean {
  const outgoing = nodeResponse(c);
  return outgoing !== undefined && outgoing.destroyed && !outgoing.writableFinished;
}
