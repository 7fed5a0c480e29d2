/**
 * Runs a gateway on @hono/node-server and shuts it down gracefully: stop accepting, let in-flight
 * requests finish up to a deadline, then end what is left (a 503 `shutting_down`: a stream's last
 * event, else the answer), close what is still open after a short flush, and release the models.
 */
import { randomUUID } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener, RequestError, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import type { Logger } from "pino";
import { echo } from "./api/echo.js";
import type { Gateway } from "./app.js";
import { asGatewayError, GatewayError, shuttingDown } from "./errors.js";

/**
 * How long past the shutdown deadline the requests it stopped have to send their ending (a stream's
 * error event, a 503) before their connections are destroyed: writing a few hundred bytes to a client
 * that reads takes milliseconds, and the generations stop within a token. A client that stopped reading
 * does not hold the shutdown longer than this.
 */
export const SHUTDOWN_FLUSH_MS = 1_000;

export interface RunningServer {
  port: number;
  url: string;
  /**
   * Graceful stop; resolves when connections are closed and the gateway released. Requests still
   * running at `deadlineMs` are stopped and get `SHUTDOWN_FLUSH_MS` to send their ending.
   */
  close(deadlineMs?: number): Promise<void>;
}

export async function startServer(gateway: Gateway, options: { port: number; host: string; log: Logger; shutdownTimeoutMs: number }): Promise<RunningServer> {
  const listener = getRequestListener(closingEarlyAnswers(gateway.app.fetch), {
    hostname: options.host,
    errorHandler: (error) => {
      const refusal = unservable(error, options.log);
      return new Response(refusal.body, refusal);
    },
  });
  /** Set once shutdown begins: keep-alive connections then close after their answer. */
  let draining = false;
  /** Each connection's newest answer: only it may close the connection (a pipelined one may follow an older). */
  const newest = new WeakMap<Socket, ServerResponse>();
  const sockets = new Set<Socket>();
  // HTTP/1.1 requires Host (RFC 9112 §3.2). Node's own check answers a bare 400, and the listener would
  // fill in the listening address instead; this check answers like any other unservable request.
  const server = createServer({ requireHostHeader: false }, (incoming, outgoing) => {
    if (draining) {
      // server.close() stops new connections only: a pooled client whose connection was open keeps
      // sending on it. Each answer now closes its connection, and new work is refused so the client
      // retries on a fresh connection (another replica); the liveness probe still answers.
      outgoing.shouldKeepAlive = false;
      if (!isLivenessProbe(incoming.url)) {
        const refusal = refusedWhileDraining(options.log);
        outgoing.writeHead(refusal.status, refusal.headers).end(refusal.body);
        return;
      }
    }
    const socket = incoming.socket;
    newest.set(socket, outgoing);
    resetWhenCut(outgoing);
    outgoing.once("finish", () => {
      // An answer sent with keep-alive before the shutdown began leaves its connection idle: ended now
      // (after what is still buffered for it), not kept open until keepAliveTimeout holds the drain.
      if (draining && newest.get(socket) === outgoing && !socket.destroyed) socket.end();
    });
    if (incoming.httpVersion === "1.1" && !incoming.headers.host) {
      const refusal = unservable(new RequestError("Missing host header"), options.log);
      outgoing.writeHead(refusal.status, refusal.headers).end(refusal.body);
      return;
    }
    void listener(incoming, outgoing);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Keep-alive clients (load balancers) reuse connections; outlive their typical 60 s idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("clientError", answerClientError);
  server.on("checkExpectation", (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const refusal = unmetExpectation(incoming.headers.expect ?? "", options.log);
    outgoing.writeHead(refusal.status, refusal.headers).end(refusal.body);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  options.log.info({ url }, "switchyard listening");

  let closing: Promise<void> | undefined;
  const close = (deadlineMs = options.shutdownTimeoutMs) =>
    (closing ??= (async () => {
      // One deadline for the whole shutdown: what draining leaves of it is the usage recorder's time to retry.
      const deadlineAt = Date.now() + deadlineMs;
      draining = true;
      // Answers still to start their headers close their connection once sent, unless a pipelined
      // request on the same connection still waits for its own answer.
      for (const socket of sockets) {
        const answer = newest.get(socket);
        if (answer && !answer.headersSent) answer.shouldKeepAlive = false;
      }
      // Node's closeIdleConnections(), which server.close() calls, destroys a connection once its answer
      // has ended, even while most of that answer still waits in buffers for a slow reader (a 16 MB
      // answer arrived cut at 3.9 MB). Idle connections are ended instead, after what they still send;
      // one whose answer is still going out is ended by that answer's own 'finish' above.
      server.closeIdleConnections = () => {
        for (const socket of sockets) {
          const answer = newest.get(socket);
          if (!answer || answer.writableFinished) socket.end();
        }
      };
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      let flushTimer: NodeJS.Timeout | undefined;
      const deadlineTimer = setTimeout(() => {
        options.log.warn({ deadlineMs, flushMs: SHUTDOWN_FLUSH_MS }, "shutdown deadline reached; stopping the requests still running");
        // Destroying their sockets now would cut streams mid-answer with no sign of it (no finish_reason,
        // no [DONE], no error event). Stopped, each ends as a 503 shutting_down, whose 'finish' above
        // then ends its connection.
        gateway.stopRequests();
        flushTimer = setTimeout(() => {
          options.log.warn({ flushMs: SHUTDOWN_FLUSH_MS }, "shutdown flush allowance over; closing remaining connections");
          // An answer still going out (a CSV export, a client that stopped reading) is cut: reset (resetWhenCut).
          for (const socket of sockets) newest.get(socket)?.destroy();
          server.closeAllConnections();
        }, SHUTDOWN_FLUSH_MS);
      }, deadlineMs);
      await drained;
      clearTimeout(deadlineTimer);
      clearTimeout(flushTimer);
      await gateway.close({ deadlineAt });
      options.log.info("switchyard stopped");
    })());
  return { port, url, close };
}

/**
 * An answer destroyed before its end (failed mid-body, stopped at an export's maximum duration, cut at
 * the shutdown's flush) resets its connection rather than closing it in good order: a close ends an
 * HTTP/1.0 body (a client's, or a proxy's: nginx speaks HTTP/1.0 upstream by default), which would
 * pass what was sent for the whole answer, a CSV's rows for the whole file. A reset is an error.
 */
function resetWhenCut(outgoing: ServerResponse): void {
  const destroy = outgoing.destroy.bind(outgoing);
  outgoing.destroy = (error?: Error) => {
    const socket = outgoing.socket;
    // Ended is whole: @hono/node-server ends an error's body, then destroys the answer with the error.
    if (socket && !socket.destroyed && !outgoing.writableEnded) socket.resetAndDestroy();
    return destroy(error);
  };
}

/** `/healthz`, also in absolute form (`GET http://host/healthz`), which HTTP/1.1 servers must accept and some proxies send. */
function isLivenessProbe(url: string | undefined): boolean {
  const path = url?.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  return path === "/healthz" || path?.startsWith("/healthz?") === true;
}

/** The answer to a request that arrives on an open connection once shutdown has begun. */
function refusedWhileDraining(log: Logger): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const refusal = shuttingDown();
  log.info({ requestId, status: refusal.status }, "request refused: shutting down");
  const body = JSON.stringify(refusal.toJSON());
  return {
    status: refusal.status,
    headers: { ...refusal.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "x-request-id": requestId, connection: "close" },
    body,
  };
}

type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/**
 * An answer given before the request's body was read (a body over the size limit, a refused key)
 * closes the connection. @hono/node-server cuts such a connection once it stops reading the body
 * (at once for a chunked body, after a short drain otherwise); without `Connection: close` a
 * keep-alive client sends its next request on that socket and sees "socket hang up".
 */
function closingEarlyAnswers(fetch: NodeFetch): NodeFetch {
  return async function fetchClosingEarlyAnswers(request, env) {
    const response = await fetch(request, env);
    // Set on the Node response, which @hono/node-server merges into the headers it writes (a stream
    // the app wrote itself has sent them already, having read the whole body first).
    if (!env.incoming.complete && !env.outgoing.headersSent) env.outgoing.setHeader("connection", "close");
    return response;
  };
}

/**
 * The answer to a request @hono/node-server cannot turn into a web Request (a Host header that makes
 * no URL) or that has no Host where HTTP/1.1 needs one. The app never sees these: its own answer is a 400 with an empty
 * body. This one is OpenAI-shaped with an x-request-id, like every answer of the app. The body was
 * never read, so the connection closes.
 */
function unservable(error: unknown, log: Logger): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const refusal =
    error instanceof RequestError
      ? new GatewayError(`The request's Host header or URL is not valid (${error.message}).`, { status: 400, type: "invalid_request_error", code: "malformed_request" })
      : asGatewayError(error);
  if (refusal.status >= 500) log.error({ err: error, requestId }, refusal.message);
  log.info({ requestId, status: refusal.status, reason: error instanceof Error ? error.message : String(error) }, "request");
  const body = JSON.stringify(refusal.toJSON());
  return {
    status: refusal.status,
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "x-request-id": requestId, connection: "close" },
    body,
  };
}

/**
 * The answer to a request whose `Expect` is not `100-continue`, the one expectation HTTP defines.
 * Node's own 417 has an empty (chunked) body, which the OpenAI SDKs report as an unreadable error, and
 * keeps the connection open although the body was never read: this one is OpenAI-shaped and closes it.
 */
function unmetExpectation(expect: string, log: Logger): { status: number; headers: Record<string, string>; body: string } {
  const requestId = randomUUID();
  const refusal = new GatewayError(`The request's Expect header ('${echo(expect)}') cannot be met: only '100-continue' is supported.`, {
    status: 417,
    type: "invalid_request_error",
    code: "expectation_failed",
    param: "expect",
  });
  log.info({ requestId, status: refusal.status }, "request");
  const body = JSON.stringify(refusal.toJSON());
  return {
    status: refusal.status,
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "x-request-id": requestId, connection: "close" },
    body,
  };
}

const CLIENT_ERROR_LINGER_MS = 5_000;

/**
 * Requests Node's HTTP parser refuses never reach the app, and Node's own answer has an empty body:
 * clients (the OpenAI SDKs) then report an unreadable error. This answers in OpenAI's shape with
 * Node's status, as Node would: only on a writable socket whose current response (keep-alive) has not
 * started, and not at all to a peer that reset the connection.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const refusal = clientErrorFor(error.code);
  const body = JSON.stringify(refusal.toJSON());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // end() waits for the peer to close its side (destroying now could reset the answer away); one that
  // never does would hold the socket, and a graceful shutdown, forever.
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}

function clientErrorFor(code: string | undefined): GatewayError {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return new GatewayError("The request headers are too large.", { status: 431, type: "invalid_request_error", code: "request_headers_too_large" });
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new GatewayError("The request's chunk extensions are too large.", { status: 413, type: "invalid_request_error", code: "request_too_large" });
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new GatewayError("The request was not received in time.", { status: 408, type: "timeout_error", code: "request_timeout" });
    default:
      return new GatewayError("The request is not valid HTTP.", { status: 400, type: "invalid_request_error", code: "malformed_request" });
  }
}
