import type { Context } from "hono";
import { clientClosed, type GatewayError } from "../errors.js";
import { nodeResponse } from "./node-response.js";

/**
 * Hands each request the signal that ends its work: aborted when its client goes away before the
 * response is complete (`clientClosed`), or when the gateway stops the requests still running (the
 * shutdown's deadline, `stopAll`). The reason travels: providers reject with it, so the request ends
 * as that error (a 499 the client left, or a 503 `shutting_down`: a stream's last event, else the
 * answer) in usage, metrics and the access log.
 *
 * @example
 * const signals = new RequestSignals();
 * app.post("/v1/chat/completions", (c) => pipeline.run({ ..., signal: signals.of(c) }));
 * // at the shutdown deadline:
 * signals.stopAll(shuttingDown());
 */
export class RequestSignals {
  /**
   * The requests running now, each by the controller that ends it; a request leaves with its response.
   * Not one long-lived signal joined into each request's (AbortSignal.any): on Node 20 that keeps an
   * entry per request for the gateway's lifetime.
   */
  private readonly running = new Set<AbortController>();
  private stopped: GatewayError | undefined;

  /**
   * The request's signal. On Node it listens to the response's `close` directly: `c.req.raw.signal`
   * would make @hono/node-server build a full web Request (headers, body stream) for every request
   * just to hand out its signal. Outside Node (`app.request()` in tests) it is that signal, which
   * `stopAll` does not reach.
   */
  of(c: Context): AbortSignal {
    const outgoing = nodeResponse(c);
    if (!outgoing) return c.req.raw.signal;
    const controller = new AbortController();
    if (this.stopped) {
      controller.abort(this.stopped);
      return controller.signal;
    }
    this.running.add(controller);
    outgoing.once("close", () => {
      this.running.delete(controller);
      // Aborting twice keeps the first reason: a request stopped by the shutdown stays stopped by it.
      if (!outgoing.writableFinished) controller.abort(clientClosed());
    });
    return controller.signal;
  }

  /** Aborts every running request's signal with `reason`, and every later request's at once. */
  stopAll(reason: GatewayError): void {
    this.stopped ??= reason;
    for (const controller of this.running) controller.abort(reason);
    this.running.clear();
  }
}
