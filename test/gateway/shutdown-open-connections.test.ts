/**
 * A graceful shutdown stops accepting work on the connections that are already open, not only new
 * connections: server.close() alone let a pooled client keep sending on its keep-alive connection
 * for the whole drain, each request served (local generations included). Now an answer in flight
 * closes its connection once sent, and a request that still arrives on an open connection gets a 503
 * `shutting_down` with `Connection: close`, so the client retries on a new connection (another replica).
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml } from "../support/gateway.js";

const request = (body: unknown) => {
  const text = JSON.stringify(body);
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
};
const ask = (stream: boolean) => request({ model: "fake-gpt", stream, messages: [{ role: "user", content: "Hi" }] });

/** A keep-alive connection whose received text the test reads as it comes; `closed` resolves with all of it. */
function openConnection(port: number) {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (text += chunk));
  const closed = new Promise<string>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
  return { socket, received: () => text, closed };
}

/** One answer, head and body, whose body is all its Content-Length says (the fake's 16 MB answer). */
function expectWholeAnswer(text: string): void {
  const headEnd = text.indexOf("\r\n\r\n");
  const contentLength = Number(/content-length: (\d+)/i.exec(text.slice(0, headEnd))?.[1]);
  expect(contentLength).toBeGreaterThan(16_000_000);
  expect(Buffer.byteLength(text.slice(headEnd + 4))).toBe(contentLength);
}

async function gatewayOn(upstream: Awaited<ReturnType<typeof startFakeOpenAI>>) {
  return startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), waitForModels: false });
}

describe("a shutdown with a keep-alive connection open", () => {
  it("answers the request in flight with Connection: close", async () => {
    const upstream = await startFakeOpenAI();
    const gw = await gatewayOn(upstream);
    let release!: () => void;
    upstream.script({ kind: "hold", until: new Promise<void>((resolve) => (release = resolve)) });
    try {
      const connection = openConnection(gw.server.port);
      connection.socket.write(ask(false));
      await expect.poll(() => upstream.requests.length).toBe(1);
      const closing = gw.server.close(5_000);
      release();
      const text = await connection.closed;
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      expect(text.toLowerCase()).toContain("connection: close");
      await closing;
    } finally {
      release?.();
      await gw.close();
      await upstream.close();
    }
  });

  it("refuses a request that arrives on an open connection once shutdown began, with 503 shutting_down", async () => {
    const upstream = await startFakeOpenAI();
    const gw = await gatewayOn(upstream);
    upstream.script({ kind: "stream", chunks: 10, delayMs: 50 });
    try {
      const connection = openConnection(gw.server.port);
      connection.socket.write(ask(true));
      // The stream's head went out with keep-alive before the shutdown began.
      await expect.poll(() => connection.received().includes("data: ")).toBe(true);
      const closing = gw.server.close(5_000);
      connection.socket.write(ask(false));
      const text = await connection.closed;
      const [first, second] = text.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(first).toContain("data: [DONE]");
      expect(second).toMatch(/^HTTP\/1\.1 503 /);
      expect(second?.toLowerCase()).toContain("connection: close");
      expect(second).toContain('"code":"shutting_down"');
      // The upstream saw the first request only.
      expect(upstream.requests).toHaveLength(1);
      await closing;
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  it("answers both of two pipelined requests before closing their connection", async () => {
    const upstream = await startFakeOpenAI();
    const gw = await gatewayOn(upstream);
    let release!: () => void;
    upstream.script({ kind: "hold", until: new Promise<void>((resolve) => (release = resolve)) });
    try {
      const connection = openConnection(gw.server.port);
      connection.socket.write(ask(false) + ask(false));
      await expect.poll(() => upstream.requests.length).toBe(2);
      const closing = gw.server.close(5_000);
      release();
      const answers = (await connection.closed).split(/(?=HTTP\/1\.1 )/);
      expect(answers.map((answer) => answer.slice(0, 12))).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
      await closing;
    } finally {
      release?.();
      await gw.close();
      await upstream.close();
    }
  });

  it("sends a large answer whole to a slow reader while other answers end", { timeout: 60_000 }, async () => {
    const upstream = await startFakeOpenAI({ answer: "a".repeat(16_000_000) });
    const gw = await gatewayOn(upstream);
    let releaseLarge!: () => void;
    let releaseOther!: () => void;
    upstream.script({ kind: "hold", until: new Promise<void>((resolve) => (releaseLarge = resolve)) }, { kind: "hold", until: new Promise<void>((resolve) => (releaseOther = resolve)) });
    try {
      const large = openConnection(gw.server.port);
      large.socket.write(ask(false));
      await expect.poll(() => upstream.requests.length).toBe(1);
      const other = openConnection(gw.server.port);
      other.socket.write(ask(false));
      await expect.poll(() => upstream.requests.length).toBe(2);
      large.socket.pause();
      const closing = gw.server.close(20_000);
      releaseLarge();
      // The large answer is ended by the gateway, most of it still in buffers, when the other one ends.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      releaseOther();
      await other.closed;
      large.socket.resume();
      expectWholeAnswer(await large.closed);
      await closing;
    } finally {
      releaseLarge?.();
      releaseOther?.();
      await gw.close();
      await upstream.close();
    }
  });

  it("sends a large answer whole to a slow reader when it ended just before the shutdown began", { timeout: 60_000 }, async () => {
    const upstream = await startFakeOpenAI({ answer: "a".repeat(16_000_000) });
    const gw = await gatewayOn(upstream);
    try {
      const large = openConnection(gw.server.port);
      large.socket.write(ask(false));
      await expect.poll(() => upstream.requests.length).toBe(1);
      large.socket.pause();
      // The gateway has ended the answer by now, most of it still in buffers.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const closing = gw.server.close(20_000);
      large.socket.resume();
      expectWholeAnswer(await large.closed);
      await closing;
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});
