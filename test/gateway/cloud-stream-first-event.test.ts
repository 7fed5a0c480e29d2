/**
 * A streamed answer counts as started at the upstream's first event, not at its 200 head: a 200 whose
 * first event is an error, or whose body ends without any event (empty, only comments, an HTML page
 * labelled as an event stream), is an upstream failure before the client got a byte, so the next
 * model of the chain answers, and without one the client gets the error status. Waiting for the first
 * event stays bounded by the upstream's silence, and a client that leaves meanwhile ends the upstream request.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

/** `fake-gpt` falls back to `gpt-4o`; `gpt-4o` requested by name has no fallback. */
const ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: primary-with-fallback
    when: { model: fake-gpt }
    then: { route: fake-gpt, pin: true, fallbacks: [gpt-4o] }
  - name: alone
    when: { model: gpt-4o }
    then: { route: gpt-4o, pin: true }
default: { route: fake-gpt, fallbacks: [gpt-4o] }
`;

/** How the upstream model the test breaks (`upstream-gpt`, or `upstream-gpt-4o` when asked alone) answers. */
let broken: (res: ServerResponse) => void;
let calls: string[] = [];
let upstreamClosedEarly = 0;
let upstream: RawUpstream;
let gw: TestGateway;

// The upstream runs in this process: a stall of the process longer than half of this would let the
// gateway's timeout fire before it reads a keep-alive written in time (at 600 ms a stall of 300 ms would).
const TIMEOUT_MS = 1_500;

beforeAll(async () => {
  upstream = await startRawUpstream((body, res) => {
    const model = (JSON.parse(body) as { model: string }).model;
    calls.push(model);
    res.on("close", () => {
      if (!res.writableFinished) upstreamClosedEarly++;
    });
    if (model === "upstream-gpt" || brokenAlone) return broken(res);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(`${textChunk("from the fallback")}data: [DONE]\n\n`);
  });
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, timeoutMs: TIMEOUT_MS, maxRetries: 0 }),
    files: { "routing.yaml": ROUTING },
    waitForModels: false,
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
let brokenAlone = false;
beforeEach(() => {
  calls = [];
  upstreamClosedEarly = 0;
  brokenAlone = false;
});

const textChunk = (content: string) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const eventStream = (res: ServerResponse) => res.writeHead(200, { "content-type": "text/event-stream" });

const firstEventFailures: Record<string, (res: ServerResponse) => void> = {
  "an error as its first event": (res) => {
    eventStream(res);
    res.end(`data: ${JSON.stringify({ error: { message: "rate limited", type: "rate_limit", code: 429 } })}\n\n`);
  },
  "an error event without an error key first": (res) => {
    eventStream(res);
    res.end(`event: error\ndata: ${JSON.stringify({ message: "overloaded", type: "server_error" })}\n\n`);
  },
  "an empty body": (res) => {
    eventStream(res);
    res.end();
  },
  "only comments": (res) => {
    eventStream(res);
    res.end(": ping\n\n: ping\n\n");
  },
  "an HTML page labelled as an event stream": (res) => {
    eventStream(res);
    res.end("<html><body>502 Bad Gateway</body></html>");
  },
};

async function streamText(model: string): Promise<{ text: string; fallback: string[] }> {
  const { data, response } = await gw.client().chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "Hi there" }] }).withResponse();
  let text = "";
  for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? "";
  const fallback = response.headers.get("x-switchyard-fallback");
  return { text, fallback: fallback === null ? [] : readFallbackHeader(fallback) };
}

describe("a 200 event stream that fails before its first chunk", () => {
  for (const [name, answer] of Object.entries(firstEventFailures)) {
    it(`falls back to the next model for ${name}`, async () => {
      broken = answer;
      const { text, fallback } = await streamText("fake-gpt");
      expect(text).toBe("from the fallback");
      expect(fallback).toEqual(["fake-gpt", "gpt-4o"]);
      expect(calls).toEqual(["upstream-gpt", "upstream-gpt-4o"]);
    });

    // An error event that states its status (here 429) is answered with it.
    const expected = name === "an error as its first event" ? { status: 429, type: "rate_limit_error" } : { status: 502, type: "upstream_error" };
    it(`answers ${expected.status} ${expected.type}, not a 200, for ${name} when no fallback is left`, async () => {
      broken = answer;
      brokenAlone = true;
      const error = await streamText("gpt-4o").catch((e: unknown) => e);
      expect(error).toMatchObject(expected);
    });
  }

  it("answers an invalid request error as the first event with a 400 naming its parameter, and does not fall back", async () => {
    broken = (res) => {
      eventStream(res);
      res.end(`data: ${JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens.", type: "invalid_request_error", code: "context_length_exceeded", param: "messages" } })}\n\n`);
    };
    const error = await streamText("fake-gpt").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error", code: "context_length_exceeded", param: "messages" });
    expect(calls).toEqual(["upstream-gpt"]);
  });

  it("ends a stream whose error event comes after its first chunk as the upstream's failure (502), whatever status the event states", async () => {
    broken = (res) => {
      eventStream(res);
      res.write(textChunk("Half an ans"));
      setTimeout(() => res.end(`data: ${JSON.stringify({ error: { object: "error", message: "engine died", type: "BadRequestError", code: 400 } })}\n\n`), 50);
    };
    const error = await streamText("fake-gpt").catch((e: unknown) => e);
    expect(error).toMatchObject({ type: "upstream_error", code: "upstream_error" });
    expect((error as Error).message).toContain("engine died");
    expect(calls).toEqual(["upstream-gpt"]);
    await expect.poll(() => gw.logs.some((line) => line.includes('"level":50') && line.includes("stream failed after the answer started"))).toBe(true);
  });

  it("answers a 200 whose body is an error stating status 400 (vLLM's shape) with a 400, and does not fall back", async () => {
    broken = (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "error", error: { object: "error", message: "temperature must be at most 2", type: "BadRequestError", param: null, code: 400 } }));
    };
    const error = await gw
      .client()
      .chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "Hi there" }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect((error as Error).message).toContain("temperature must be at most 2");
    expect(calls).toEqual(["upstream-gpt"]);
  });

  it("waits for a first event that comes later than the timeout while the upstream keeps the connection alive", async () => {
    broken = (res) => {
      eventStream(res);
      res.flushHeaders();
      // The timeout measures the upstream's silence: keep-alive comments are not silence.
      const ping = setInterval(() => res.write(": still thinking\n\n"), TIMEOUT_MS / 2);
      setTimeout(() => {
        clearInterval(ping);
        res.end(`${textChunk("slow but fine")}data: [DONE]\n\n`);
      }, TIMEOUT_MS * 1.8);
    };
    const { text, fallback } = await streamText("fake-gpt");
    expect(text).toBe("slow but fine");
    expect(fallback).toEqual([]);
  });

  it("answers 504 upstream_timeout when the upstream stays silent after its 200 head for longer than its timeout", async () => {
    broken = (res) => {
      eventStream(res);
      res.flushHeaders();
    };
    const startedAt = Date.now();
    const error = await streamText("fake-gpt").catch((e: unknown) => e);
    // A provider that timed out is skipped for the rest of the request, and both models are on it.
    expect(error).toMatchObject({ status: 504, code: "upstream_timeout" });
    expect(calls).toEqual(["upstream-gpt"]);
    expect(Date.now() - startedAt).toBeLessThan(TIMEOUT_MS * 5);
    await expect.poll(() => upstreamClosedEarly).toBe(1);
  });

  it("ends the upstream request when the client leaves while the first event is awaited", async () => {
    let headSent!: () => void;
    const head = new Promise<void>((resolve) => (headSent = resolve));
    broken = (res) => {
      eventStream(res);
      res.flushHeaders();
      headSent();
    };
    const controller = new AbortController();
    const pending = gw
      .client()
      .chat.completions.create({ model: "fake-gpt", stream: true, messages: [{ role: "user", content: "Hi there" }] }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await head;
    controller.abort();
    await pending;
    await expect.poll(() => upstreamClosedEarly, { timeout: TIMEOUT_MS / 2 }).toBe(1);
    // The client left: nothing falls back on its behalf.
    expect(calls).toEqual(["upstream-gpt"]);
  });
});
