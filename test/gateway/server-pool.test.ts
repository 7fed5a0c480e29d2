/**
 * A provider with `base_urls` balances its requests over a pool of OpenAI-compatible servers (several
 * llama.cpp servers) by itself: each attempt goes to the server with the fewest requests in flight,
 * a failing server is left out for a cool-down, and /readyz says which servers are up. Real gateway,
 * real fake upstreams on loopback; the pool's clock is the test's, so cool-downs pass without waiting.
 */
import { createServer } from "node:net";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ask = { model: "cloud", messages: [{ role: "user" as const, content: "Say hello." }] };

interface Setup {
  servers: FakeOpenAI[];
  gw: TestGateway;
  /** Moves the pool's clock. */
  advance(ms: number): void;
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

/** A gateway whose cloud provider is a pool of `count` fake upstreams (plus `extraURLs`, e.g. dead ones). */
async function startPool(count: number, options: { extraURLs?: string[]; timeoutMs?: number; maxRetries?: number; poolLines?: string } = {}): Promise<Setup> {
  const servers = await Promise.all(Array.from({ length: count }, (_, i) => startFakeOpenAI({ answer: `Hello from server ${i}.` })));
  opened.push(...servers);
  let clock = 1_000_000;
  const urls = [...servers.map((s) => s.baseURL), ...(options.extraURLs ?? [])];
  const yaml = testModelsYaml({ cloudBaseURL: "POOL", timeoutMs: options.timeoutMs ?? 5000, maxRetries: options.maxRetries ?? 2 }).replace(
    "base_url: POOL",
    `base_urls: [${urls.join(", ")}]${options.poolLines ?? ""}`,
  );
  const gw = await startTestGateway({ modelsYaml: yaml, files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false, poolClock: () => clock });
  opened.push(gw);
  return { servers, gw, advance: (ms) => void (clock += ms) };
}

/** A loopback URL nothing listens on. */
async function deadBaseURL(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

const counts = (servers: FakeOpenAI[]) => servers.map((s) => s.requests.length);

async function readyz(gw: TestGateway): Promise<{ status: number; provider: { state: string; detail: string } }> {
  const response = await fetch(`${gw.url}/readyz`);
  const body = (await response.json()) as { components: Record<string, { state: string; detail: string }> };
  return { status: response.status, provider: body.components["provider:fake"]! };
}

/** One sample of /metrics, by its name and labels as written (`{provider="fake",server="…"}`). */
async function metric(gw: TestGateway, name: string, server: string): Promise<number | undefined> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{provider="fake",server="${server}"} `));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

/** Resolves `release()` on demand: what a held upstream answer waits for. */
function gate(): { until: Promise<void>; release(): void } {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}

describe("a pool of OpenAI-compatible servers (base_urls)", () => {
  it("answers from every server in turn when none is busy", async () => {
    const { servers, gw } = await startPool(3);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await gw.client().chat.completions.create(ask)).choices[0]?.message.content);
    expect(counts(servers)).toEqual([2, 2, 2]);
    expect(new Set(answers)).toEqual(new Set(["Hello from server 0.", "Hello from server 1.", "Hello from server 2."]));
    // The path under each server's base URL is the SDK's, as with one base_url.
    expect(servers.every((s) => s.requests.every((r) => r.path === "/v1/chat/completions"))).toBe(true);
  });

  it("spreads concurrent requests one per server", async () => {
    const { servers, gw } = await startPool(3);
    const held = gate();
    for (const server of servers) server.script({ kind: "hold", until: held.until });
    const pending = Array.from({ length: 3 }, () => gw.client().chat.completions.create(ask));
    await expect.poll(() => counts(servers).reduce((a, b) => a + b), { timeout: 10_000 }).toBe(3);
    expect(counts(servers)).toEqual([1, 1, 1]);
    held.release();
    await Promise.all(pending);
  });

  it("sends new requests to the servers with the fewest in flight, not round robin", async () => {
    const { servers, gw } = await startPool(3);
    const held = gate();
    for (const server of servers) server.script({ kind: "hold", until: held.until });
    const slow = gw.client().chat.completions.create(ask);
    await expect.poll(() => counts(servers).reduce((a, b) => a + b), { timeout: 10_000 }).toBe(1);
    const busy = servers.findIndex((s) => s.requests.length === 1);
    for (const [i, server] of servers.entries()) if (i !== busy) server.reset();
    // One request is in flight on `busy`: the next ones alternate between the two others.
    for (let i = 0; i < 4; i++) await gw.client().chat.completions.create(ask);
    expect(servers[busy]!.requests).toHaveLength(1);
    expect(counts(servers).filter((_, i) => i !== busy)).toEqual([2, 2]);
    expect(await metric(gw, "switchyard_pool_server_in_flight", servers[busy]!.baseURL)).toBe(1);
    expect(await metric(gw, "switchyard_pool_server_in_flight", servers[(busy + 1) % 3]!.baseURL)).toBe(0);
    held.release();
    await slow;
    // Nothing in flight any more: the three take turns again.
    for (const server of servers) server.reset();
    for (let i = 0; i < 3; i++) await gw.client().chat.completions.create(ask);
    expect(counts(servers)).toEqual([1, 1, 1]);
  });

  it("counts a stream as in flight while its upstream stream lasts, after its first chunk, until it is given up", async () => {
    const { servers, gw } = await startPool(2);
    // Nothing in flight anywhere: the first request goes to the first server listed.
    const [streaming, other] = [0, 1];
    servers[streaming]!.script({ kind: "stream", chunks: 400, delayMs: 25 });
    const stream = await gw.client().chat.completions.create({ ...ask, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    expect(counts(servers)).toEqual([1, 0]);
    // The stream has started (its first chunk is read) and goes on: the other server takes everything.
    for (let i = 0; i < 3; i++) await gw.client().chat.completions.create(ask);
    expect(counts(servers)).toEqual([1, 3]);
    // The client leaves: the gateway ends the upstream stream, and the server is free again.
    await iterator.return?.();
    await expect.poll(() => servers[streaming]!.abortedStreams, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(
        async () => {
          await gw.client().chat.completions.create(ask);
          return servers[streaming]!.requests.length;
        },
        { timeout: 10_000, interval: 10 },
      )
      .toBe(2);
    expect(servers[other]!.requests.length).toBeLessThanOrEqual(4);
  });

  it("frees a server once the stream it sent is over", async () => {
    const { servers, gw } = await startPool(2);
    servers[0]!.script({ kind: "stream", chunks: 3, delayMs: 10 });
    const chunks = [];
    for await (const chunk of await gw.client().chat.completions.create({ ...ask, stream: true })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    // Both free (the finished stream's response closed): the next two go one to each.
    await expect
      .poll(
        async () => {
          for (const server of servers) server.reset();
          for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
          return counts(servers);
        },
        { timeout: 10_000, interval: 10 },
      )
      .toEqual([1, 1]);
  });

  it("answers through the others when a server is down, and stops trying the dead one (ejected)", async () => {
    const dead = await deadBaseURL();
    const { servers, gw } = await startPool(2, { extraURLs: [dead] });
    for (let i = 0; i < 9; i++) {
      const answer = await gw.client().chat.completions.create(ask);
      expect(answer.choices[0]?.message.content).toMatch(/^Hello from server [01]\.$/);
    }
    expect(counts(servers).reduce((a, b) => a + b)).toBe(9);
    // Tried once, found dead, left out: not once every third request.
    const ejections = gw.logs.filter((line) => line.includes("ejected for its cool-down"));
    expect(ejections).toHaveLength(1);
    expect(JSON.parse(ejections[0]!)).toMatchObject({ provider: "fake", server: dead, cooldownMs: 1000, failures: 1 });
    const { status, provider } = await readyz(gw);
    expect(status).toBe(200);
    expect(provider.state).toBe("ready");
    // Up means serving: the ejected server is listed once, among the ejected.
    expect(provider.detail).toBe(`2 of 3 servers up (${servers.filter((s) => s.baseURL !== dead).map((s) => s.baseURL).join(", ")}); ejected: ${dead} (1 s more)`);
    expect(provider.detail).toMatch(new RegExp(`ejected: ${dead.replace(/[.]/g, "\\.")} \\(1 s more\\)$`));
    expect(await metric(gw, "switchyard_pool_server_up", dead)).toBe(0);
    expect(await metric(gw, "switchyard_pool_server_ejections_total", dead)).toBe(1);
    expect(await metric(gw, "switchyard_pool_server_up", servers[0]!.baseURL)).toBe(1);
    expect(await metric(gw, "switchyard_pool_server_ejections_total", servers[0]!.baseURL)).toBe(0);
  });

  it("keeps a failed server out for the cool-downs models.yaml sets", async () => {
    const { servers, gw, advance } = await startPool(2, { poolLines: "\n    cooldown_ms: 10000\n    max_cooldown_ms: 15000" });
    const [failing, healthy] = servers as [FakeOpenAI, FakeOpenAI];
    failing.script({ kind: "error", status: 503 });
    await gw.client().chat.completions.create(ask);
    failing.reset();
    advance(9_000);
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(failing.requests).toHaveLength(0);
    advance(1_001);
    // Back, fails again: doubled to 20 s, capped at 15 s.
    failing.script({ kind: "error", status: 503 });
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(failing.requests).toHaveLength(1);
    advance(14_000);
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(failing.requests).toHaveLength(1);
    advance(1_001);
    healthy.reset();
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(counts([failing, healthy])).toEqual([2, 1]);
  });

  it("ejects a server for a 500 only when it answers several in a row: one request's own 500 leaves it up", async () => {
    const { servers, gw } = await startPool(2, { maxRetries: 0 });
    const [first, second] = servers as [FakeOpenAI, FakeOpenAI];
    // A request the server cannot handle (llama.cpp answers some template errors with 500).
    first.script({ kind: "error", status: 500 });
    await expect(gw.client().chat.completions.create(ask)).rejects.toMatchObject({ status: 502 });
    for (let i = 0; i < 4; i++) await gw.client().chat.completions.create(ask);
    expect(counts([first, second])).toEqual([3, 2]);
    expect((await readyz(gw)).provider.detail).toMatch(/^2 of 2 servers up \([^)]*\)$/);

    // Three in a row is a broken server.
    first.reset();
    second.reset();
    first.script({ kind: "error", status: 500 }, { kind: "error", status: 500 }, { kind: "error", status: 500 });
    for (let i = 0; i < 6; i++) await gw.client().chat.completions.create(ask).catch(() => undefined);
    expect(first.requests).toHaveLength(3);
    expect((await readyz(gw)).provider.detail).toMatch(/ejected: /);
    second.reset();
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(counts([first, second])).toEqual([3, 2]);
  });

  it("ejects a server that answers 5xx, retries elsewhere, and takes it back after its cool-down (doubled while it keeps failing)", async () => {
    const { servers, gw, advance } = await startPool(2);
    const [failing, healthy] = servers as [FakeOpenAI, FakeOpenAI];
    // The first attempt goes to the first server listed, which fails it; the SDK's retry goes to the other.
    failing.script({ kind: "error", status: 502 });
    expect((await gw.client().chat.completions.create(ask)).choices[0]?.message.content).toBe("Hello from server 1.");
    expect(counts([failing, healthy])).toEqual([1, 1]);
    healthy.reset();
    failing.reset();
    for (let i = 0; i < 3; i++) await gw.client().chat.completions.create(ask);
    expect(counts([failing, healthy])).toEqual([0, 3]);
    expect((await readyz(gw)).provider.detail).toMatch(/^1 of 2 servers up .*; ejected: /);

    // Its cool-down (1 s) over, it is tried again; it fails again, so the next one lasts 2 s.
    advance(1001);
    failing.script({ kind: "error", status: 503 });
    healthy.reset();
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(failing.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(2);
    failing.reset();
    advance(1500);
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(failing.requests).toHaveLength(0);

    // Back after 2 s; it answers, which ends its streak: it is up and shares the load again.
    advance(600);
    healthy.reset();
    for (let i = 0; i < 4; i++) await gw.client().chat.completions.create(ask);
    expect(counts([failing, healthy])).toEqual([2, 2]);
    expect((await readyz(gw)).provider.detail).toMatch(/^2 of 2 servers up \([^)]*\)$/);
  });

  it("ejects a server that does not answer within timeout_ms", async () => {
    const { servers, gw } = await startPool(2, { timeoutMs: 500 });
    servers[0]!.script({ kind: "hang" });
    expect((await gw.client().chat.completions.create(ask)).choices[0]?.message.content).toBe("Hello from server 1.");
    expect(counts(servers)).toEqual([1, 1]);
    const ejections = gw.logs.filter((line) => line.includes("ejected for its cool-down"));
    expect(ejections).toHaveLength(1);
    expect(JSON.parse(ejections[0]!)).toMatchObject({ server: servers[0]!.baseURL });
    expect((await readyz(gw)).provider.detail).toContain("1 of 2 servers up");
  });

  it("ejects a server whose stream goes silent for timeout_ms mid-answer", async () => {
    const { servers, gw } = await startPool(2, { timeoutMs: 500 });
    servers[0]!.script({ kind: "stream", chunks: 3, delayMs: 3000 });
    const stream = await gw.client().chat.completions.create({ ...ask, stream: true });
    const failed = await (async () => {
      for await (const _chunk of stream);
    })().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    await expect.poll(() => gw.logs.filter((line) => line.includes("ejected for its cool-down")).length, { timeout: 10_000 }).toBe(1);
    expect((await readyz(gw)).provider.detail).toContain(`ejected: ${servers[0]!.baseURL}`);
  });

  it("does not eject a server that leaves a complete stream's body open after [DONE]", async () => {
    const { servers, gw } = await startPool(2, { timeoutMs: 500 });
    for (const server of servers) server.script({ kind: "stream-left-open" }, { kind: "stream-left-open" });
    for (let i = 0; i < 4; i++) {
      const stream = await gw.client().chat.completions.create({ ...ask, stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toMatch(/^Hello from server [01]\.$/);
    }
    // Past the idle timeout (timeout_ms) the drained bodies are given up, quietly: the answers were complete.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(gw.logs.filter((line) => line.includes("ejected for its cool-down"))).toEqual([]);
    expect((await readyz(gw)).provider.detail).toMatch(/^2 of 2 servers up \([^)]*\)$/);
  });

  it("does not eject a server whose request the client gave up", async () => {
    const { servers, gw } = await startPool(2);
    const held = gate();
    for (const server of servers) server.script({ kind: "hold", until: held.until });
    const controller = new AbortController();
    const abandoned = gw.client().chat.completions.create(ask, { signal: controller.signal });
    await expect.poll(() => counts(servers).reduce((a, b) => a + b), { timeout: 10_000 }).toBe(1);
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    // The gateway has ended the upstream request (and so the pool's attempt) once its access line says 499.
    await expect.poll(() => gw.logs.some((line) => line.includes('"msg":"request"') && line.includes('"status":499')), { timeout: 10_000 }).toBe(true);
    expect((await readyz(gw)).provider.detail).toMatch(/^2 of 2 servers up \([^)]*\)$/);
    expect(gw.logs.some((line) => line.includes("ejected for its cool-down"))).toBe(false);
    held.release();
  });

  it("passes a 429 on without ejecting the server, preferring the others for its Retry-After", async () => {
    const { servers, gw, advance } = await startPool(2, { maxRetries: 0 });
    const [throttled, other] = servers as [FakeOpenAI, FakeOpenAI];
    throttled.script({ kind: "error", status: 429, headers: { "retry-after": "20" } });
    const limited = await gw.client().chat.completions.create(ask).catch((error: unknown) => error);
    expect(limited).toMatchObject({ status: 429 });
    expect(counts(servers)).toEqual([1, 0]);
    expect((await readyz(gw)).provider.detail).toMatch(/^2 of 2 servers up \([^)]*\)$/);
    for (let i = 0; i < 3; i++) await gw.client().chat.completions.create(ask);
    expect(throttled.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(3);
    advance(20_001);
    for (let i = 0; i < 2; i++) await gw.client().chat.completions.create(ask);
    expect(throttled.requests).toHaveLength(2);
  });

  it("passes a 429's own retry hints on when its wait is longer than an attempt, and the client's retry goes to another server", async () => {
    const { servers, gw } = await startPool(2, { timeoutMs: 1000, maxRetries: 2 });
    const [throttled, other] = servers as [FakeOpenAI, FakeOpenAI];
    throttled.script({ kind: "error", status: 429, headers: { "retry-after-ms": "1500", "x-should-retry": "true" } });
    const hints: (string | null)[][] = [];
    const client = new OpenAI({
      apiKey: "unused-key",
      baseURL: `${gw.url}/v1`,
      maxRetries: 2,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        hints.push([String(response.status), response.headers.get("retry-after-ms"), response.headers.get("x-should-retry")]);
        return response;
      },
    });
    const answer = await client.chat.completions.create(ask);
    expect(answer.choices[0]?.message.content).toBe("Hello from server 1.");
    expect(hints).toEqual([
      ["429", "1500", "true"],
      ["200", null, null],
    ]);
    expect(throttled.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(1);
  }, 15_000);

  it("stays ready with every server ejected, as a single unreachable base_url does, and names them on /readyz", async () => {
    const deadA = await deadBaseURL();
    const deadB = await deadBaseURL();
    // A server behind basic auth: /readyz is unauthenticated and shows no credentials.
    const { gw } = await startPool(0, { extraURLs: [deadA, deadB.replace("http://", "http://ops:hunter2@")], maxRetries: 1 });
    const before = await readyz(gw);
    expect(before.provider).toEqual({ state: "ready", detail: `2 of 2 servers up (${deadA}, ${deadB})` });
    const failed = await gw.client().chat.completions.create(ask).catch((error: unknown) => error);
    expect(failed).toMatchObject({ status: 502 });
    const after = await readyz(gw);
    expect(after.status).toBe(200);
    expect(after.provider.state).toBe("ready");
    expect(after.provider.detail).toBe(`0 of 2 servers up; ejected: ${deadA} (1 s more), ${deadB} (1 s more)`);
    expect(gw.logs.join("\n")).not.toContain("hunter2");
  });
});
