/**
 * Runs a gateway on @hono/node-server and shuts it down gracefully: stop accepting, let in-flight
 * requests finish up to a deadline, then cut what is left and release the models.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import type { Gateway } from "./app.js";

export interface RunningServer {
  port: number;
  url: string;
  /** Graceful stop; resolves when connections are closed and the gateway released. */
  close(deadlineMs?: number): Promise<void>;
}

export async function startServer(gateway: Gateway, options: { port: number; host: string; log: Logger; shutdownTimeoutMs: number }): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: gateway.app.fetch, port: options.port, hostname: options.host }, () => resolve(s as Server));
    (s as Server).once("error", reject);
  });
  // Keep-alive clients (load balancers) reuse connections; outlive their typical 60 s idle timeout.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  options.log.info({ url }, "switchyard listening");

  let closing: Promise<void> | undefined;
  const close = (deadlineMs = options.shutdownTimeoutMs) =>
    (closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        options.log.warn({ deadlineMs }, "shutdown deadline reached; closing remaining connections");
        server.closeAllConnections();
      }, deadlineMs);
      await drained;
      clearTimeout(timer);
      await gateway.close();
      options.log.info("switchyard stopped");
    })());
  return { port, url, close };
}
