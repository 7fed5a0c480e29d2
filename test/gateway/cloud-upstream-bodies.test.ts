/**
 * The cloud route against a raw upstream that ends, encodes and labels its bodies the way real
 * servers and proxies do: the client's answer is over at `[DONE]`, whatever the upstream does with
 * its connection afterwards (which is reused when the upstream does end the body); compressed bodies
 * are decoded, event streams as they come; an unlabelled answer to a stream request is relayed as it
 * comes, not held back whole; a JSON completion answering a stream request is relayed as its chunks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let upstream: Server;
let gw: TestGateway;
const sockets = new Set<Socket>();
const TIMEOUT_MS = 2000;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    sockets.add(req.socket);
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const cloudBaseURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL, timeoutMs: TIMEOUT_MS, maxRetries: 0 }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => sockets.clear());

const ask = { model: "fake-gpt", messages: [{ role: "user" as const, content: "Hi" }], stream: true as const };
const event = (content: string) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const answer = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(event("Hello "));
  res.write(event("there"));
  res.write("data: [DONE]\n\n");
};

/** The streamed answer's text as the official client reads it, and when it was complete. */
async function streamed(): Promise<{ text: string; at: number }> {
  let text = "";
  for await (const chunk of await gw.client().chat.completions.create(ask)) text += chunk.choices[0]?.delta.content ?? "";
  return { text, at: Date.now() };
}

const requestLogs = () => gw.logs.map((line) => JSON.parse(line) as { msg: string; status?: number }).filter((line) => line.msg === "request");

describe("an upstream stream after [DONE]", () => {
  it("ends the client's answer at [DONE] while the upstream holds the body open, then reuses the connection once it ends", async () => {
    let upstreamEndedAt: number | undefined;
    handler = (_req, res) => {
      answer(res);
      setTimeout(() => res.end(() => (upstreamEndedAt = Date.now())), 1500);
    };
    const first = await streamed();
    expect(first.text).toBe("Hello there");
    expect(upstreamEndedAt).toBeUndefined();
    // The rest of the body is read in the background: once it ends, the connection goes back to the pool.
    await expect.poll(() => upstreamEndedAt, { timeout: 3000 }).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    handler = (_req, res) => {
      answer(res);
      res.end();
    };
    expect((await streamed()).text).toBe("Hello there");
    expect(sockets.size).toBe(1);
  });

  it("completes the answer, without a timeout error, when the upstream never ends the body; the connection is given up later", async () => {
    let upstreamClosed = false;
    handler = (_req, res) => {
      answer(res);
      res.on("close", () => (upstreamClosed = true));
    };
    const startedAt = Date.now();
    const { text, at } = await streamed();
    expect(text).toBe("Hello there");
    expect(at - startedAt).toBeLessThan(TIMEOUT_MS);
    expect(upstreamClosed).toBe(false);
    await expect.poll(() => upstreamClosed, { timeout: 3 * TIMEOUT_MS }).toBe(true);
  });

  it("gives the connection up soon when the upstream keeps sending after [DONE]", async () => {
    let upstreamClosed = false;
    handler = (_req, res) => {
      answer(res);
      const more = setInterval(() => res.write(`: ${"x".repeat(16 * 1024)}\n\n`), 10);
      res.on("close", () => {
        clearInterval(more);
        upstreamClosed = true;
      });
    };
    expect((await streamed()).text).toBe("Hello there");
    // Well before the drain's deadline (the provider's timeout): what it may read after [DONE] is bounded too.
    await expect.poll(() => upstreamClosed, { timeout: TIMEOUT_MS / 2 }).toBe(true);
  });

  it("completes the answer, logged as a 200, when the upstream resets the connection after [DONE]", async () => {
    handler = (_req, res) => {
      answer(res);
      setTimeout(() => res.socket?.destroy(), 50);
    };
    const logged = requestLogs().length;
    const { text } = await streamed();
    expect(text).toBe("Hello there");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect.poll(() => requestLogs().length).toBe(logged + 1);
    expect(requestLogs().at(-1)!.status).toBe(200);
  });
});

const encoders = {
  gzip: () => zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: () => zlib.createDeflate({ flush: zlib.constants.Z_SYNC_FLUSH }),
  br: () => zlib.createBrotliCompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * An upstream that sends the first event, then waits for the test to say the client has it before
 * sending the rest (or gives up waiting after a while, so a gateway that holds the body back fails
 * the test instead of hanging it).
 */
function gatedAnswer(headers: Record<string, string>, encode?: () => zlib.Gzip | zlib.Deflate | zlib.BrotliCompress) {
  let release!: () => void;
  const clientHasFirst = new Promise<void>((resolve) => (release = resolve));
  let sentRest = false;
  handler = (_req, res) => {
    res.writeHead(200, headers);
    const out = encode ? encode() : undefined;
    out?.pipe(res);
    const write = (text: string) => (out ? out.write(text) : res.write(text));
    write(event("first "));
    void Promise.race([clientHasFirst, new Promise((resolve) => setTimeout(resolve, 3000))]).then(() => {
      sentRest = true;
      write(event("second"));
      write("data: [DONE]\n\n");
      if (out) out.end();
      else res.end();
    });
  };
  return { release, sentRest: () => sentRest };
}

async function streamedGated(gate: { release: () => void; sentRest: () => boolean }): Promise<{ text: string; restSentBeforeFirst: boolean }> {
  let text = "";
  let restSentBeforeFirst: boolean | undefined;
  for await (const chunk of await gw.client().chat.completions.create(ask)) {
    const content = chunk.choices[0]?.delta.content ?? "";
    if (content && restSentBeforeFirst === undefined) {
      restSentBeforeFirst = gate.sentRest();
      gate.release();
    }
    text += content;
  }
  return { text, restSentBeforeFirst: restSentBeforeFirst ?? true };
}

describe("compressed upstream bodies", () => {
  for (const [coding, encode] of Object.entries(encoders)) {
    it(`relays a ${coding} event stream event by event`, async () => {
      const gate = gatedAnswer({ "content-type": "text/event-stream", "content-encoding": coding }, encode);
      expect(await streamedGated(gate)).toEqual({ text: "first second", restSentBeforeFirst: false });
    });

    it(`answers a ${coding} JSON completion`, async () => {
      handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": coding });
        const out = encode();
        out.pipe(res);
        out.end(JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "Grüße ☃" }, finish_reason: "stop" }] }));
      };
      const completion = await gw.client().chat.completions.create({ ...ask, stream: false });
      expect(completion.choices[0]?.message.content).toBe("Grüße ☃");
    });
  }
});

describe("a compressed upstream stream that stalls mid-answer", () => {
  it("still ends with a timeout: the idle timer watches the connection under the decoder", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "gzip" });
      const out = encoders.gzip();
      out.pipe(res);
      out.write(event("first "));
    };
    let text = "";
    const error = await (async () => {
      for await (const chunk of await gw.client().chat.completions.create(ask)) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e: unknown) => e);
    expect(text).toBe("first ");
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/timed out/);
  });
});

describe("a stream request answered without a content type", () => {
  it("is relayed as it comes, not held back until the body ends", async () => {
    const gate = gatedAnswer({});
    expect(await streamedGated(gate)).toEqual({ text: "first second", restSentBeforeFirst: false });
  });
});

describe("a stream request answered with a JSON completion (a server that ignored `stream`)", () => {
  const completion = {
    id: "cmpl-json",
    object: "chat.completion",
    created: 1,
    model: "upstream-gpt",
    choices: [{ index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
  };
  beforeEach(() => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(completion));
    };
  });

  it("streams its answer to the official client, with the upstream's usage only when asked for", async () => {
    const plain = [];
    for await (const chunk of await gw.client().chat.completions.create(ask)) plain.push(chunk);
    expect(plain.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello there");
    expect(plain.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
    expect(plain.some((c) => c.usage)).toBe(false);

    const withUsage = [];
    for await (const chunk of await gw.client().chat.completions.create({ ...ask, stream_options: { include_usage: true } })) withUsage.push(chunk);
    expect(withUsage.at(-1)?.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });
});
