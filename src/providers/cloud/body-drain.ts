/**
 * What is left of an upstream body once its answer is complete (`[DONE]` came): the client has its
 * answer at once, and the rest is read in the background so the keep-alive socket goes back to the
 * pool when the server ends the body. Bounded, because a server may never end it, keep sending, or
 * reset the connection: the gateway then gives the socket up instead of holding it.
 */
import type { Readable } from "node:stream";

export interface DrainLimits {
  /** How long the rest may take before the socket is given up. */
  ms: number;
  /** How much the server may send after `[DONE]` (a well-behaved one sends nothing). */
  bytes: number;
}

export const DRAIN_BYTES = 64 * 1024;

/**
 * Reads `body` to its end in the background, or destroys it past `limits`.
 *
 * @example
 * if (answered) drainInBackground(body, { ms: config.timeout_ms, bytes: DRAIN_BYTES });
 * else body.destroy();
 */
export function drainInBackground(body: Readable, limits: DrainLimits): void {
  if (body.readableEnded || body.destroyed) return;
  // The answer was complete before this: a reset or timeout now costs only the socket, and there is
  // no request left to fail, so the error is deliberately not reported (without a listener it would
  // be an uncaught exception).
  body.on("error", () => {});
  const deadline = setTimeout(() => body.destroy(), limits.ms);
  deadline.unref();
  body.once("close", () => clearTimeout(deadline));
  let drained = 0;
  body.on("data", (part: Buffer) => {
    drained += part.length;
    if (drained > limits.bytes) body.destroy();
  });
  body.resume();
}
