/**
 * The cloud route end to end: the official OpenAI client → gateway → a fake OpenAI-compatible
 * upstream that records what it receives and can be scripted to fail.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml } from "../support/gateway.js";

const cloud = fakeCloudGateway({
  fake: { answer: "The capital of France is Paris." },
  // Every request here has this timeout: long enough that a loaded machine's stall (the upstream is in
  // this process) does not turn an answer into a retried timeout, short enough for the 504 test's three tries.
  models: { timeoutMs: 1_000, maxRetries: 2 },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});
beforeEach(() => cloud.fake.reset());

const ask = { model: "cloud", messages: [{ role: "user" as const, content: "What is the capital of France?" }] };

describe("cloud route", () => {
  it("relays a completion with the gateway's upstream key and the upstream model name", async () => {
    const { data, response } = await cloud.gw.client({ apiKey: "client-key" }).chat.completions.create(ask).withResponse();
    expect(data.choices[0]?.message.content).toBe("The capital of France is Paris.");
    expect(data.usage?.total_tokens).toBe(18);
    expect(response.headers.get("x-switchyard-route")).toBe("cloud");
    expect(response.headers.get("x-switchyard-model")).toBe("fake-gpt");
    expect(cloud.fake.requests).toHaveLength(1);
    const sent = cloud.fake.requests[0]!;
    expect(sent.headers.authorization).toBe("Bearer sk-upstream-secret");
    expect((sent.body as { model: string }).model).toBe("upstream-gpt");
  });

  it("passes unknown request fields through untouched", async () => {
    await cloud.gw
      .client()
      .chat.completions.create({ ...ask, temperature: 0.3, metadata: { team: "billing" }, reasoning_effort: "low", some_vendor_flag: { nested: [1, 2] } } as never);
    const body = cloud.fake.requests[0]!.body as Record<string, unknown>;
    expect(body.some_vendor_flag).toEqual({ nested: [1, 2] });
    expect(body.reasoning_effort).toBe("low");
    expect(body.temperature).toBe(0.3);
    expect(body.metadata).toEqual({ team: "billing" });
  });

  it("streams chunk by chunk and forwards usage only when asked", async () => {
    const collect = async (includeUsage: boolean) => {
      const stream = await cloud.gw.client().chat.completions.create({ ...ask, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const plain = await collect(false);
    expect(plain.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("The capital of France is Paris.");
    expect(plain.some((c) => c.usage != null)).toBe(false);
    // The gateway always asks upstream for usage (to account tokens) even when the client did not.
    expect((cloud.fake.requests[0]!.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);

    const withUsage = await collect(true);
    expect(withUsage.at(-1)?.usage).toMatchObject({ prompt_tokens: 11 });
  });

  it("labels a stream so that proxies in front of the gateway pass it on unbuffered", async () => {
    const { response } = await cloud.gw.client().chat.completions.create({ ...ask, stream: true }).withResponse();
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    // nginx buffers proxied answers unless told otherwise, which would hold every chunk until the end.
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    await response.body?.cancel();
  });

  it("sends the first chunk before the upstream has finished (no buffering)", async () => {
    cloud.fake.script({ kind: "stream", chunks: 6, delayMs: 150 });
    const started = Date.now();
    const stream = await cloud.gw.client().chat.completions.create({ ...ask, stream: true });
    const arrivals: number[] = [];
    for await (const _chunk of stream) arrivals.push(Date.now() - started);
    expect(arrivals.length).toBeGreaterThanOrEqual(7);
    // The first chunk arrives long before the last one: chunks were relayed as they came.
    expect(arrivals[0]!).toBeLessThan(arrivals.at(-1)! - 500);
  });

  it("retries upstream 500s and succeeds when the upstream recovers", async () => {
    cloud.fake.script({ kind: "error", status: 500 }, { kind: "error", status: 503 });
    const result = await cloud.gw.client().chat.completions.create(ask);
    expect(result.choices[0]?.message.content).toContain("Paris");
    expect(cloud.fake.requests).toHaveLength(3);
  });

  it("maps upstream 5xx to 502 after bounded retries", async () => {
    cloud.fake.script({ kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
    const error = await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, type: "upstream_error" });
    expect(cloud.fake.requests).toHaveLength(3);
  });

  it("keeps 429 as 429 with the upstream's Retry-After, after honouring it on retries", async () => {
    const limited = { kind: "error" as const, status: 429, headers: { "retry-after": "0" }, body: { error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded", param: null } } };
    cloud.fake.script(limited, limited, limited);
    const error = (await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e)) as { status: number; type: string; headers: Headers; message: string };
    expect(error.status).toBe(429);
    expect(error.type).toBe("rate_limit_error");
    expect(error.headers.get("retry-after")).toBe("0");
    expect(error.message).toContain("slow down");
    expect(cloud.fake.requests).toHaveLength(3);
  });

  it("passes upstream 400s back as 400 with the upstream's message", async () => {
    cloud.fake.script({ kind: "error", status: 400, body: { error: { message: "bad tool schema", type: "invalid_request_error", code: "invalid_tools", param: "tools" } } });
    const error = await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "invalid_tools", param: "tools" });
    expect(cloud.fake.requests).toHaveLength(1);
  });

  it("answers 504 when the upstream times out", async () => {
    cloud.fake.script({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    const error = await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 504, type: "timeout_error", code: "upstream_timeout" });
  });

  it("answers 502 when the upstream drops the connection", async () => {
    cloud.fake.script({ kind: "destroy" }, { kind: "destroy" }, { kind: "destroy" });
    const error = await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: "upstream_unreachable" });
  });

  it("ends a stream that fails midway with an error event the SDK raises", async () => {
    cloud.fake.script({ kind: "stream-then-fail", after: 2 });
    const stream = await cloud.gw.client().chat.completions.create({ ...ask, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    expect(seen.length).toBe(2);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/upstream|terminated|failed/i);
  });

  it("stops the upstream stream when the client aborts mid-stream", async () => {
    cloud.fake.script({ kind: "stream", chunks: 200, delayMs: 10 });
    const controller = new AbortController();
    const stream = await cloud.gw.client().chat.completions.create({ ...ask, stream: true }, { signal: controller.signal });
    let received = 0;
    try {
      for await (const _chunk of stream) {
        if (++received === 3) controller.abort();
      }
    } catch {
      // the SDK reports the abort; what matters is what happened upstream
    }
    const deadline = Date.now() + 2000;
    while (cloud.fake.abortedStreams === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(cloud.fake.abortedStreams).toBe(1);
  });
});

describe("logging", () => {
  it("never logs prompt bodies or keys unless SWITCHYARD_DEBUG_BODIES is on", async () => {
    const secretPrompt = "my-very-private-prompt-7731";
    await cloud.gw.client({ apiKey: "client-key-never-logged" }).chat.completions.create({ model: "cloud", messages: [{ role: "user", content: secretPrompt }] });
    const logs = cloud.gw.logs.join("\n");
    expect(logs).toContain('"path":"/v1/chat/completions"');
    expect(logs).not.toContain(secretPrompt);
    expect(logs).not.toContain("client-key-never-logged");
    expect(logs).not.toContain("sk-upstream-secret");

    const debug = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: cloud.fake.baseURL }),
      env: { SWITCHYARD_DEBUG_BODIES: "1", LOG_LEVEL: "debug" },
      waitForModels: false,
    });
    try {
      await debug.client().chat.completions.create({ model: "cloud", messages: [{ role: "user", content: secretPrompt }] });
      expect(debug.logs.join("\n")).toContain(secretPrompt);
    } finally {
      await debug.close();
    }
  });
});
