/**
 * `npm run bench -- soak [--requests=60000] [--concurrency=16] [--every=5000] [--log-level=warn]`
 *
 * Memory over a long run: the gateway as `npm start` runs it (cloud route to the fake upstream, every
 * store in memory) serves chat requests that each bring a new session id, user, metadata value and a
 * personal e-mail address, so every per-session, per-user and per-value structure sees only new
 * keys. After each `--every` requests it prints the live heap (what the last full collection kept, from
 * the gateway's `--trace-gc` lines), the resident set (from its /metrics) and the answers by status.
 * Bounded stores level off (sessions at 10,000, usage records at 100,000); a leak grows with the count.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudModelsYaml, startFakeUpstream, startSwitchyard, switchyardHeaders, type RunningServer } from "./lib/servers.js";

function option(args: string[], name: string, fallback: number): number {
  const given = args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

export async function main(args: string[]): Promise<void> {
  const total = option(args, "requests", 60_000);
  const concurrency = option(args, "concurrency", 16);
  const every = option(args, "every", 5_000);
  const logLevel = args.find((arg) => arg.startsWith("--log-level="))?.slice(12) ?? "warn";
  const workDir = await mkdtemp(join(tmpdir(), "switchyard-bench-soak-"));
  const servers: RunningServer[] = [];
  try {
    const upstream = await startFakeUpstream(workDir);
    servers.push(upstream);
    const gateway = await startSwitchyard(workDir, { modelsYaml: cloudModelsYaml(`${upstream.origin}/v1`), logLevel, nodeArgs: ["--trace-gc"] });
    const gatewayLog = join(workDir, "switchyard.log");
    servers.push(gateway);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const send = (i: number) =>
      post(agent, gateway.origin, { ...switchyardHeaders(), "x-session-id": `soak-${i}` }, {
        model: "cloud",
        user: `user-${i}`,
        metadata: { order: `o-${i}` },
        messages: [{ role: "user", content: `Hi, I'm Maria Lopez (maria.lopez${i}@example.com), order ${i}: where is my parcel?` }],
      });
    console.log(`| requests | live heap (last full GC) | resident set | answers by status |\n| ---: | ---: | ---: | --- |`);
    console.log(`| 0 | ${await liveHeap(gatewayLog)} | ${await residentSet(gateway.origin)} | |`);
    let next = 0;
    while (next < total) {
      const end = Math.min(total, next + every);
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < end) {
            const { status, body } = await send(next++);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status !== 200 && failures.length < 5) failures.push(`${status} ${body.slice(0, 200)}`);
          }
        }),
      );
      console.log(`| ${end} | ${await liveHeap(gatewayLog)} | ${await residentSet(gateway.origin)} | ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(", ")} |`);
    }
    for (const failure of failures) console.log(`failed: ${failure}`);
  } finally {
    for (const server of servers.reverse()) await server.child.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

function post(agent: Agent, origin: string, headers: Record<string, string>, body: object): Promise<{ status: number; body: string }> {
  const text = JSON.stringify(body);
  const url = new URL("/v1/chat/completions", origin);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** The gateway's resident set, from its own process metrics. */
async function residentSet(origin: string): Promise<string> {
  const text = await (await fetch(`${origin}/metrics`, { headers: switchyardHeaders() })).text();
  const bytes = Number(/^switchyard_process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

/**
 * The heap the gateway's last full collection (Mark-Compact) kept, from its `--trace-gc` lines. Worker
 * threads trace their own heaps: the main thread's is the isolate that traces first.
 */
async function liveHeap(logFile: string): Promise<string> {
  const traces = (await readFile(logFile, "utf8")).split("\n").flatMap((line) => {
    const trace = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: (\S+) .*?-> ([\d.]+) \(/.exec(line);
    return trace ? [{ isolate: trace[1]!, kind: trace[2]!, keptMB: Number(trace[3]) }] : [];
  });
  const main = traces[0]?.isolate;
  const full = traces.filter((trace) => trace.isolate === main && trace.kind === "Mark-Compact");
  const last = full.at(-1);
  return last === undefined ? "no full GC yet" : `${last.keptMB.toFixed(0)} MB (${full.length} full GCs)`;
}
