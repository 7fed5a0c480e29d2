/**
 * `npm run bench -- context [--iterations N] [--redis URL]`: the latency a request gains from
 * conversation context — one load and one save of a realistic 10-turn session, as the pipeline does
 * per request — for the in-memory store and Redis on loopback, side by side, with and without
 * encryption. Without `--redis` (or REDIS_URL) it starts a private redis-server. Two rows per store:
 * load + merge + save with every reply awaited, and the request path — what an answer waits for, as
 * the gateway sends it: the load, the merge and dispatching the save, whose reply arrives while the
 * client reads the answer (awaited here before the next request, off the clock).
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { Redis } from "ioredis";
import pino from "pino";
import type { ChatMessage } from "../src/api/chat-request.js";
import { createCipher } from "../src/context/cipher.js";
import { mergeHistory } from "../src/context/merge.js";
import { createMemoryBackend } from "../src/context/memory-backend.js";
import { createRedisBackend } from "../src/context/redis-backend.js";
import { createRedisClient } from "../src/context/redis-client.js";
import { createContextStore, type ContextStore } from "../src/context/store.js";
import { createTurnCodec } from "../src/context/turn-codec.js";
import type { SessionLimits } from "../src/context/backend.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { CONTEXT_DEFAULTS } from "../src/context/config.js";

const LIMITS: SessionLimits = { ttlMs: 3_600_000, maxTurns: 10, maxBytes: 256 * 1024 };

const sentence = "The quick brown fox jumps over the lazy dog while the gateway keeps the conversation. ";
/** Turn i of a support-style chat: ~250-character user questions and ~600-character answers. */
const message = (i: number): ChatMessage =>
  i % 2 === 0 ? { role: "user", content: `Question ${i}: ${sentence.repeat(3)}` } : { role: "assistant", content: `Answer ${i}: ${sentence.repeat(7)}` };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * One request's context work: load, merge the client's new turn, save it with the answer. Resolves
 * once the save is dispatched, with the save's reply still to come (`saved`), as the gateway does:
 * the answer leaves without waiting for it.
 */
async function request(store: ContextStore, i: number): Promise<{ saved: Promise<void> }> {
  const scope = { tenantId: "bench", sessionId: `s${i % 100}` };
  const loaded = await store.load(scope);
  if (loaded.status !== "ok") throw new Error("the store degraded during the benchmark");
  const merged = mergeHistory(loaded, [{ role: "user", content: `Question ${i}: ${sentence.repeat(3)}` }]);
  const at = Date.now();
  const saving = store.save(scope, {
    turns: [...merged.newTurns.map((m) => ({ message: m, meta: { at, route: "local" } })), { message: message(1), meta: { at, route: "local", model: "stories" } }],
    state: { sticky: "local" },
  });
  return {
    saved: saving.then((result) => {
      if (result.status !== "ok") throw new Error("the store degraded during the benchmark");
    }),
  };
}

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

/** Both views of the same requests: load + merge + save awaited, and what the request path waits for. */
async function measure(store: ContextStore, iterations: number): Promise<{ whole: Latency; requestPath: Latency }> {
  // Seed 100 sessions with 10 turns each so every load returns a realistic history.
  for (let s = 0; s < 100; s++) {
    await store.save({ tenantId: "bench", sessionId: `s${s}` }, { turns: Array.from({ length: 10 }, (_, i) => ({ message: message(i), meta: { at: Date.now() } })) });
  }
  const whole = await sample(iterations, async (i) => (await request(store, i)).saved);
  // The save's reply is awaited after the clock stops: the client reads its answer meanwhile.
  let pending: Promise<void> = Promise.resolve();
  const requestPath = await sample(iterations, async (i) => {
    await pending;
    const started = performance.now();
    pending = (await request(store, i)).saved;
    return performance.now() - started;
  });
  await pending;
  return { whole, requestPath };
}

/** The floor under the Redis rows: two bare round trips to the same server in the same run. */
async function roundTripFloor(url: string, iterations: number): Promise<Latency> {
  const client = new Redis(url);
  try {
    return await sample(iterations, async () => {
      await client.ping();
      await client.ping();
    });
  } finally {
    client.disconnect();
  }
}

/** Times `work`; when it returns a number, that is its own measured duration (ms). */
async function sample(iterations: number, work: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(1000, iterations); i++) await work(i);
  const samples = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const own = await work(i);
    samples[i] = typeof own === "number" ? own : performance.now() - started;
  }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean };
}

export async function main(args: string[]): Promise<void> {
  const iterations = Number(args[args.indexOf("--iterations") + 1]) || 5000;
  const given = args.includes("--redis") ? args[args.indexOf("--redis") + 1] : process.env.REDIS_URL;
  const own = given ? undefined : await startRedisServer();
  const url = given ?? own!.url;
  const log = pino({ level: "silent" });
  const key = createCipher(randomBytes(32));
  const rows: string[] = [];
  const row = (name: string, encryption: string, r: Latency) => rows.push(`| ${name} | ${encryption} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.mean.toFixed(3)} |`);
  try {
    for (const backendKind of ["memory", "redis"] as const) {
      for (const encrypted of [false, true]) {
        const backend =
          backendKind === "memory"
            ? createMemoryBackend({ limits: LIMITS, maxSessions: 10_000, maxBytes: CONTEXT_DEFAULTS.memoryMaxBytes })
            : createRedisBackend({ client: createRedisClient({ kind: "url", url }, { timeoutMs: 1000, reconnectMaxDelayMs: 200 }), limits: LIMITS });
        const store = createContextStore({ backend, codec: createTurnCodec(encrypted ? key : undefined), keyPrefix: `bench:ctx:${Date.now()}:`, maxBytes: LIMITS.maxBytes, log });
        if (!(await store.ready(5000))) throw new Error(`Redis at ${url} is not reachable`);
        const { whole, requestPath } = await measure(store, iterations);
        row(`${backendKind}: load + merge + save`, encrypted ? "AES-256-GCM" : "off", whole);
        row(`${backendKind}: request path (save reply in background)`, encrypted ? "AES-256-GCM" : "off", requestPath);
        await store.close();
      }
    }
    row("(floor: 2 × Redis PING)", "—", await roundTripFloor(url, iterations));
  } finally {
    await own?.stop();
  }
  process.stdout.write(
    [
      `context: load + merge + save of a 10-turn session (~4.5 KB), ${iterations} sequential requests after warm-up`,
      `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), Redis ${own ? "private redis-server" : url}`,
      "",
      "| store | encryption | p50 ms | p99 ms | mean ms |",
      "|---|---|---|---|---|",
      ...rows,
      "",
    ].join("\n"),
  );
}
