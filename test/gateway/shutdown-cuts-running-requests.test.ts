/**
 * Requests still running at the shutdown deadline end as answers, not as cut connections. The deadline
 * used to destroy their sockets: a stream (a long in-process generation, a cloud answer still coming)
 * stopped mid-answer with neither a `finish_reason` nor `[DONE]` nor an error event, and a request still
 * waiting for its answer got no answer at all. Now each one ends as a 503 `shutting_down`: a stream with
 * that error as its last event (the OpenAI SDK raises it), an answer not yet started (a stream before its
 * first token included) as that JSON error with Retry-After, which the OpenAI SDK retries;
 * its generation or upstream request is stopped, its usage recorded with what it had cost, and only what
 * is still open after a short flush allowance (a client that stopped reading) is destroyed.
 */
import { connect } from "node:net";
import { parse } from "csv-parse/sync";
import { APIError } from "openai";
import type { Stream } from "openai/core/streaming";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, it, vi } from "vitest";
import { LlamaCppProvider } from "../../src/providers/local/llama-provider.js";
import { SHUTDOWN_FLUSH_MS } from "../../src/server.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const KEY = "sk-shutdown-cuts-running-0123";
const DEADLINE_MS = 500;
/** Time beyond the deadline and the flush allowance for the models to be released on a loaded machine. */
const RELEASE_SLACK_MS = 1_500;
const messages = [{ role: "user" as const, content: "Once upon a time" }];

/** Runs `test` against a gateway of its own (the test shuts it down), whose local model writes up to 2,000 tokens. */
async function onOwnGateway(fake: FakeOpenAIOptions, test: (setup: { upstream: FakeOpenAI; gw: TestGateway }) => Promise<void>): Promise<void> {
  const upstream = await startFakeOpenAI(fake);
  const gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0, localMaxOutputTokens: 2_000 }),
    env: { SWITCHYARD_API_KEYS: `ops=${KEY}` },
  });
  try {
    await test({ upstream, gw });
  } finally {
    await gw.close();
    await upstream.close();
  }
}

/** Reads a stream to its end as a client does; `ended` resolves with what its iteration threw, if anything. */
function consume(stream: Stream<ChatCompletionChunk>) {
  const seen = { chunks: 0, finishReason: null as string | null, ended: undefined as unknown as Promise<unknown> };
  seen.ended = (async () => {
    try {
      for await (const chunk of stream) {
        seen.chunks++;
        seen.finishReason = chunk.choices[0]?.finish_reason ?? seen.finishReason;
      }
      return undefined;
    } catch (error) {
      return error;
    }
  })();
  return seen;
}

/** The tenant's usage rows, read in-process: the gateway no longer listens. */
async function usageRows(gw: TestGateway): Promise<Array<Record<string, string>>> {
  const res = await gw.gateway.app.request("/v1/usage/export", { headers: { authorization: `Bearer ${KEY}` } });
  expect(res.status).toBe(200);
  return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
}

/** Slots of the local provider generating now, as /readyz reports them. */
async function localSlotsInUse(gw: TestGateway): Promise<number | undefined> {
  const res = await fetch(`${gw.url}/readyz`);
  return ((await res.json()) as { components: Record<string, { active?: number }> }).components["provider:local"]?.active;
}

/** An upstream answer far larger than the socket buffers between the gateway and a client that does not read. */
const LARGE_ANSWER: FakeOpenAIOptions = { answer: "a".repeat(8_000_000), chunkChars: 64_000 };

/** A stream of the large answer whose client has stopped reading and whose gateway-side writes have backed up. */
async function backedUpStream(gw: TestGateway) {
  const body = JSON.stringify({ model: "fake-gpt", stream: true, messages });
  const socket = connect(gw.server.port, "127.0.0.1");
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  let text = "";
  let stoppedReading = false;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    text += chunk;
    // Stop at the first event, in the handler: a client that read on until a poll noticed could take in
    // megabytes first, and the kernel's autotuned buffers (up to 32 MiB here) then hold the rest of the
    // answer, so the stream finished before the shutdown and the test failed on a loaded machine.
    if (!stoppedReading && text.includes("data: ")) {
      stoppedReading = true;
      socket.pause();
    }
  });
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
  socket.on("error", () => {});
  await expect.poll(() => stoppedReading).toBe(true);
  // The gateway's writes back up behind the reader, which takes nothing more.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { socket, closed };
}

const rowOf = (rows: Array<Record<string, string>>, model: string) => rows.find((row) => row.model === model);

describe("a shutdown whose deadline comes while requests are still running", { timeout: 60_000 }, () => {
  it("ends a local and a cloud stream with a shutting_down error event the OpenAI SDK raises", () =>
    onOwnGateway({}, async ({ upstream, gw }) => {
      upstream.script({ kind: "stream", chunks: 1_000, delayMs: 20 });
      const client = gw.client({ apiKey: KEY });
      const local = consume(await client.chat.completions.create({ model: "stories", stream: true, max_tokens: 2_000, messages }));
      const cloud = consume(await client.chat.completions.create({ model: "fake-gpt", stream: true, messages }));
      await expect.poll(() => local.chunks > 0 && cloud.chunks > 0).toBe(true);

      const t0 = performance.now();
      const closing = gw.server.close(DEADLINE_MS);
      const [localError, cloudError] = await Promise.all([local.ended, cloud.ended]);
      for (const error of [localError, cloudError]) {
        expect(error).toBeInstanceOf(APIError);
        expect(error).toMatchObject({ code: "shutting_down", type: "server_error" });
      }
      // Neither answer looks finished.
      expect([local.finishReason, cloud.finishReason]).toEqual([null, null]);
      await closing;
      const elapsed = performance.now() - t0;
      // The streams ran until the deadline (draining), and the shutdown ended soon after it.
      expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      expect(elapsed).toBeLessThan(DEADLINE_MS + SHUTDOWN_FLUSH_MS + RELEASE_SLACK_MS);
      // The upstream request was ended, not left streaming into a closed gateway.
      expect(upstream.abortedStreams).toBe(1);
      // Both streams had ended, and recorded their usage, before the gateway let its stores go.
      expect(gw.logs.filter((line) => line.includes("not yet recorded"))).toEqual([]);

      // Recorded like an answer the client left: what was generated is counted, as a 503 shutting_down.
      const rows = await usageRows(gw);
      for (const model of ["stories", "fake-gpt"]) {
        expect(rowOf(rows, model)).toMatchObject({ status: "503", error: "shutting_down" });
        expect(Number(rowOf(rows, model)?.prompt_tokens)).toBeGreaterThan(0);
        expect(Number(rowOf(rows, model)?.completion_tokens)).toBeGreaterThan(0);
      }
      // The in-process generation was stopped, not run to its 2,000 tokens.
      expect(Number(rowOf(rows, "stories")?.completion_tokens)).toBeLessThan(2_000);
      // The access log shows the 200 the clients got and that neither answer finished.
      const accessLines = gw.logs.map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number; streamEnd?: string }).filter((line) => line.msg === "request" && line.path === "/v1/chat/completions");
      expect(accessLines.map(({ status, streamEnd }) => ({ status, streamEnd }))).toEqual([
        { status: 200, streamEnd: "shutting_down" },
        { status: 200, streamEnd: "shutting_down" },
      ]);
    }));

  it("answers requests still waiting for their answer with 503 shutting_down", () =>
    onOwnGateway({}, async ({ upstream, gw }) => {
      upstream.script({ kind: "hang" });
      const ask = (model: string) =>
        fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ model, max_tokens: 2_000, messages }),
        });
      const local = ask("stories");
      const cloud = ask("fake-gpt");
      await expect.poll(() => upstream.requests.length).toBe(1);
      // The local model holds a slot for it: generating, which takes it seconds for 2,000 tokens.
      await expect.poll(() => localSlotsInUse(gw)).toBe(1);

      const t0 = performance.now();
      const closing = gw.server.close(DEADLINE_MS);
      for (const response of await Promise.all([local, cloud])) {
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("1");
        expect(response.headers.get("connection")).toBe("close");
        expect(await response.json()).toMatchObject({ error: { code: "shutting_down", type: "server_error" } });
      }
      await closing;
      expect(performance.now() - t0).toBeLessThan(DEADLINE_MS + SHUTDOWN_FLUSH_MS + RELEASE_SLACK_MS);

      // Both models had started on the prompt: it is charged, as for a client that left.
      const rows = await usageRows(gw);
      for (const model of ["stories", "fake-gpt"]) {
        expect(rowOf(rows, model)).toMatchObject({ status: "503", error: "shutting_down", completion_tokens: "0" });
        expect(Number(rowOf(rows, model)?.prompt_tokens)).toBeGreaterThan(0);
      }
    }));

  it("answers a stream stopped before its first token with the 503 JSON and Retry-After, not a 200 whose only event is the error", () =>
    onOwnGateway({}, async ({ gw }) => {
      // The in-process model holds a slot and is still reading a long prompt at the deadline: no token
      // yet. Its generation rejects with the signal's reason, as the real one does.
      const stream = vi.spyOn(LlamaCppProvider.prototype, "stream").mockImplementation(async ({ signal, onStart }) => {
        onStart?.(40);
        return (async function* (): AsyncGenerator<ChatCompletionChunk> {
          await new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
        })();
      });
      try {
        const logged = gw.logs.length;
        const answer = fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ model: "stories", stream: true, max_tokens: 2_000, messages }),
        });
        await expect.poll(() => stream.mock.calls.length).toBe(1);
        const closing = gw.server.close(DEADLINE_MS);
        // What an answer not yet started gets, streamed or not: a 503 the OpenAI SDK retries.
        const response = await answer;
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("1");
        expect(response.headers.get("content-type")).toContain("application/json");
        expect(response.headers.get("x-switchyard-model")).toBe("stories");
        expect(await response.json()).toMatchObject({ error: { code: "shutting_down", type: "server_error" } });
        await closing;
        expect(rowOf(await usageRows(gw), "stories")).toMatchObject({ status: "503", error: "shutting_down", completion_tokens: "0" });
        // Logged once, as the request's error, not also as a stream that failed after its answer started.
        const stopped = gw.logs.slice(logged).filter((line) => line.includes('"code":"shutting_down"'));
        expect(stopped).toHaveLength(1);
        expect(stopped[0]).not.toContain("after the answer started");
      } finally {
        stream.mockRestore();
      }
    }));

  it("ends a stream whose client is slow to read with the error event after what it had not read yet", () =>
    onOwnGateway(LARGE_ANSWER, async ({ gw }) => {
      const reader = await backedUpStream(gw);
      const closing = gw.server.close(DEADLINE_MS);
      // The client catches up after the deadline, within the flush allowance.
      await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS + 100));
      reader.socket.resume();
      const text = await reader.closed;
      expect(text.lastIndexOf('data: {"error":')).toBeGreaterThan(text.lastIndexOf('data: {"id":'));
      expect(text).toContain('"code":"shutting_down"');
      expect(text).not.toContain("data: [DONE]");
      await closing;
      expect(rowOf(await usageRows(gw), "fake-gpt")).toMatchObject({ status: "503", error: "shutting_down" });
    }));

  it("destroys a stream whose client stopped reading once the flush allowance is over", () =>
    onOwnGateway(LARGE_ANSWER, async ({ gw }) => {
      const reader = await backedUpStream(gw);
      const t0 = performance.now();
      await gw.server.close(DEADLINE_MS);
      expect(performance.now() - t0).toBeLessThan(DEADLINE_MS + SHUTDOWN_FLUSH_MS + RELEASE_SLACK_MS);
      reader.socket.resume();
      await reader.closed;
      expect(rowOf(await usageRows(gw), "fake-gpt")).toMatchObject({ status: "503", error: "shutting_down" });
    }));
});
