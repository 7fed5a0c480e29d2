/**
 * A CSV export still streaming when a graceful shutdown runs out of time is cut when the remaining
 * connections are closed. A CSV has no end marker, so the cut must read as a failure: an HTTP/1.1
 * client sees the chunked body end without its last chunk. An HTTP/1.0 body ends when the connection
 * does, and one closed in good order (FIN) passed the rows sent so far for the whole file, to a
 * client or a proxy speaking HTTP/1.0 to the gateway (nginx's default `proxy_http_version`), which
 * then ended its own response to the client as complete. The connection is now reset instead.
 */
import { connect } from "node:net";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import type { Gateway } from "../../src/app.js";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { makeRecord, silentLog } from "./fixtures.js";

const RECORDS = 20_000;
/** The shutdown deadline: the export is still running when it passes (and after the flush allowance). */
const DEADLINE_MS = 200;

/** A store that reads its records slowly (a Redis far away): 100 records per 25 ms, 5 s for the export. */
class SlowStore extends MemoryUsageStore {
  override async *scanRecords(range: { fromMs: number; toMs: number; tenant?: string }): AsyncIterable<UsageRecord> {
    let read = 0;
    for await (const record of super.scanRecords(range)) {
      if (++read % 100 === 0) await new Promise((r) => setTimeout(r, 25));
      yield record;
    }
  }
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close(0);
  server = undefined;
});

/** The real server and usage routes over a slow store (no models: exports only). */
async function exportServer(exports: { maxHoldMs?: number } = {}): Promise<RunningServer> {
  const store = new SlowStore();
  const now = Date.now();
  await store.append(Array.from({ length: RECORDS }, (_, i) => makeRecord({ tenant: "anonymous", time: now - RECORDS + i })));
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys("") }, exports }));
  const gateway = { app, stopRequests() {}, async close() {} } as unknown as Gateway;
  return startServer(gateway, { port: 0, host: "127.0.0.1", log: silentLog, shutdownTimeoutMs: DEADLINE_MS });
}

describe("a CSV export cut by the shutdown", () => {
  it("fails in an HTTP/1.1 client, not read as a shorter file", async () => {
    server = await exportServer();
    const response = await fetch(`${server.url}/v1/usage/export`);
    expect(response.status).toBe(200);
    const body = response.text();
    await server.close(DEADLINE_MS);
    await expect(body).rejects.toThrow();
  });

  it("fails for an HTTP/1.0 client (a proxy's default), whose body ends when the connection does", async () => {
    server = await exportServer();
    const export10 = await exportOverHttp10(server.port);
    await server.close(DEADLINE_MS);
    // Read as it came: a connection closed in good order here would end the body, a shorter CSV.
    expect(await export10.ended).toBe("ECONNRESET");
    expect(export10.received().split("\r\n").length).toBeLessThan(RECORDS);
  });
});

describe("a CSV export stopped at its maximum duration", () => {
  it("fails for an HTTP/1.0 client too", async () => {
    server = await exportServer({ maxHoldMs: 300 });
    const export10 = await exportOverHttp10(server.port);
    expect(await export10.ended).toBe("ECONNRESET");
    expect(export10.received().split("\r\n").length).toBeLessThan(RECORDS);
  });
});

/** An export read over HTTP/1.0 as it comes; `ended` says how the connection ended: `end`, or the error's code. */
async function exportOverHttp10(port: number): Promise<{ received: () => string; ended: Promise<string> }> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (text: string) => (received += text));
  const ended = new Promise<string>((resolve) => {
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    socket.on("end", () => resolve("end"));
  });
  socket.write("GET /v1/usage/export HTTP/1.0\r\nHost: gateway\r\n\r\n");
  while (!received.includes("\r\n\r\n")) await new Promise((r) => setTimeout(r, 10));
  expect(received).toMatch(/^HTTP\/1\.1 200/);
  return { received: () => received, ended };
}
