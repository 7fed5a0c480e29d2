/**
 * A request pipelined behind another on the same connection has a response that is not on the socket
 * yet: when its client drops the connection, that response never closes. Its signal used to hear
 * nothing of it, so its work ran on for a client that was gone (an upstream call until its timeout)
 * and its entry among the running requests stayed for the gateway's lifetime. The signal now also
 * aborts when the connection closes, and the route releases a request once its work is over.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestSignals } from "../../src/http/request-signals.js";
import { fakeCloudGateway } from "../support/gateway.js";
import { usageRecords } from "../support/usage-api.js";

// Upstream calls that hang would otherwise end at the provider's timeout (and fall back to the local model).
const cloud = fakeCloudGateway({ models: { timeoutMs: 30_000 } });
// Calls through: only to reach the gateway's instance (`this` of its first call).
const of = vi.spyOn(RequestSignals.prototype, "of");
const running = () => (of.mock.contexts[0] as RequestSignals).size;

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

function chatRequest(requestId: string): string {
  const body = JSON.stringify({ model: "fake-gpt", max_tokens: 4, messages: [{ role: "user", content: "Once upon a time" }] });
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Sends both requests on one connection, the second pipelined behind the first. */
async function pipelined(first: string, second: string): Promise<Socket> {
  const { port } = new URL(cloud.gw.url);
  const socket = connect(Number(port), "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => {});
  socket.resume();
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(chatRequest(first) + chatRequest(second));
  return socket;
}

async function recordOf(requestId: string, status: string): Promise<Record<string, string> | undefined> {
  let row: Record<string, string> | undefined;
  await expect
    .poll(async () => (row = (await usageRecords(cloud.gw.url, "unused", 0)).find((r) => r.request_id === requestId))?.status, { timeout: 5_000 })
    .toBe(status);
  return row;
}

describe("a request pipelined behind another", { timeout: 30_000 }, () => {
  it("stops when its client drops the connection, as the one before it does", async () => {
    const requestsBefore = cloud.fake.requests.length;
    cloud.fake.script({ kind: "hang" }, { kind: "hang" });
    const socket = await pipelined("pipelined-gone-1", "pipelined-gone-2");
    // Both are at the upstream: Node hands the app a pipelined request at once, only its response waits.
    await expect.poll(() => cloud.fake.requests.length - requestsBefore).toBe(2);
    socket.destroy();
    expect(await recordOf("pipelined-gone-1", "499")).toMatchObject({ error: "client_closed_request", model: "fake-gpt" });
    expect(await recordOf("pipelined-gone-2", "499")).toMatchObject({ error: "client_closed_request", model: "fake-gpt" });
    await expect.poll(running).toBe(0);
  });

  it("whose answer is ready no longer counts as running while it waits for its turn on the connection", async () => {
    cloud.fake.script({ kind: "hang" });
    const socket = await pipelined("pipelined-ready-1", "pipelined-ready-2");
    // The second is answered (recorded) while the first still waits for the upstream: its response is queued.
    await recordOf("pipelined-ready-2", "200");
    await expect.poll(running).toBe(1);
    socket.destroy();
    expect(await recordOf("pipelined-ready-1", "499")).toMatchObject({ error: "client_closed_request" });
    await expect.poll(running).toBe(0);
  });
});
