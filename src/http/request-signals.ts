import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Context } from "hono";
import { clientClosed, type GatewayError } from "../errors.js";
import { nodeResponse } from "./node-response.js";

/** A request's signal, and the end of its bookkeeping once the route is done with the request. */
export interface RequestSignal {
  signal: AbortSignal;
  /**
   * Forgets the request: called when its route has finished (answered, failed, or its stream ended),
   * in a `finally`. Later, neither the client leaving nor `stopAll` touches its signal.
   */
  release(): void;
}

const NOTHING_TO_RELEASE = () => {};

/**
 * Hands each request the signal that ends its work: aborted when its client goes away before the
 * response is complete (`clientClosed`), or when the gateway stops the requests still running (the
 * shutdown's deadline, `stopAll`). The reason travels: providers reject with it, so the request ends
 * as that error (a 499 the client left, or a 503 `shutting_down`: a stream's last event, else the
 * answer) in usage, metrics and the access log.
 *
 * @example
 * const signals = new RequestSignals();
 * app.post("/v1/chat/completions", async (c) => {
 *   const { signal, release } = signals.of(c);
 *   try {
 *     return await answer(await pipeline.run({ ..., signal }));
 *   } finally {
 *     release();
 *   }
 * });
 * // at the shutdown deadline:
 * signals.stopAll(shuttingDown());
 */
export class RequestSignals {
  /**
   * The requests running now, each by the controller that ends it; a request leaves when its route
   * releases it, or its client goes away. Not one long-lived signal joined into each request's
   * (AbortSignal.any): on Node 20 that keeps an entry per request for the gateway's lifetime.
   */
  private readonly running = new Set<AbortController>();
  /**
   * Per connection, what ends each of its requests when it closes: one listener per socket however
   * many requests a client pipelines on it (one each would pass Node's listener warning at 11).
   */
  private readonly closing = new WeakMap<Socket, Set<() => void>>();
  private stopped: GatewayError | undefined;

  /** How many requests hold a signal now (running, not yet released). */
  get size(): number {
    return this.running.size;
  }

  /**
   * The request's signal. On Node it listens to the response's `close` and the connection's: a
   * request pipelined behind another on the same connection has a response that is not on the socket
   * yet, and hears nothing of its client leaving but the socket's own `close`. Not `c.req.raw.signal`:
   * that would make @hono/node-server build a full web Request (headers, body stream) for every
   * request just to hand out its signal. Outside Node (`app.request()` in tests) it is that signal,
   * which `stopAll` does not reach.
   */
  of(c: Context): RequestSignal {
    const outgoing = nodeResponse(c);
    if (!outgoing) return { signal: c.req.raw.signal, release: NOTHING_TO_RELEASE };
    const controller = new AbortController();
    if (this.stopped) {
      controller.abort(this.stopped);
      return { signal: controller.signal, release: NOTHING_TO_RELEASE };
    }
    const socket = (c.env as { incoming?: IncomingMessage }).incoming?.socket;
    // Gone before the route asked (while its body was read): the `close` below has fired already.
    if (socket?.destroyed) {
      controller.abort(clientClosed());
      return { signal: controller.signal, release: NOTHING_TO_RELEASE };
    }
    this.running.add(controller);
    const onSocket = socket ? this.closingOf(socket) : undefined;
    const release = () => {
      this.running.delete(controller);
      outgoing.off("close", onClose);
      onSocket?.delete(onClose);
    };
    const onClose = () => {
      release();
      // Aborting twice keeps the first reason: a request stopped by the shutdown stays stopped by it.
      if (!outgoing.writableFinished) controller.abort(clientClosed());
    };
    outgoing.once("close", onClose);
    onSocket?.add(onClose);
    return { signal: controller.signal, release };
  }

  private closingOf(socket: Socket): Set<() => void> {
    let ends = this.closing.get(socket);
    if (!ends) {
      const created = new Set<() => void>();
      this.closing.set(socket, (ends = created));
      socket.once("close", () => {
        this.closing.delete(socket);
        for (const end of created) end();
      });
    }
    return ends;
  }

  /** Aborts every running request's signal with `reason`, and every later request's at once. */
  stopAll(reason: GatewayError): void {
    this.stopped ??= reason;
    for (const controller of this.running) controller.abort(reason);
    this.running.clear();
  }
}
