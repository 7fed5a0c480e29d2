/**
 * `npm run bench -- overhead [--seconds=4] [--warmup-seconds=1] [--targets=direct,switchyard,portkey]
 *   [--scenarios=sequential,c32,rate500] [--kinds=json,stream] [--log-level=info] [--cpu-profile-dir=DIR]
 *   [--switchyard-dir=CHECKOUT] [--candidate-dir=CHECKOUT] [--context=redis]`
 * `--context=redis` sends every Switchyard request in a session (`x-session-id`) and adds a
 * "candidate" row: the same build with its conversation context in a private redis-server, so the
 * cost of Redis (one load and one save per request) shows beside the in-memory store.
 * `--targets` may add the reference proxies `node-proxy` (bare `node:http`) and `sdk-proxy` (Hono + the
 * `openai` SDK and nothing else): the floor under Switchyard's overhead, measured in the same run.
 * `--switchyard-dir` runs Switchyard from another checkout (e.g. a `git archive` of a commit while the
 * working tree is mid-change); `--candidate-dir` adds a "candidate" row, A/B side by side.
 *
 * The same ~1 KB chat request sent straight to a fake OpenAI upstream, through Switchyard and through
 * Portkey's gateway, side by side in one run: one at a time, 32 at a time (closed loop) and at a fixed
 * 500 req/s (open loop, latency from each scheduled send), non-streaming and streaming. Prints a
 * markdown report; overhead is always "through" minus "direct" from the same run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chatBody } from "./lib/chat-body.js";
import { closedLoop, httpTarget, keepAliveAgent, openLoop, send, type HttpTarget, type LoadResult } from "./lib/http-load.js";
import { machineLine, switchyardSource } from "./lib/machine.js";
import { cpuTimeMs } from "./lib/processes.js";
import { summarize } from "./lib/stats.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { overheadReport, type Cell, type Scenario, type TargetName } from "./lib/overhead-report.js";
import {
  cloudModelsYaml,
  directHeaders,
  ensurePortkeyInstalled,
  portkeyHeaders,
  REPO_ROOT,
  startFakeUpstream,
  startPortkey,
  startReferenceProxy,
  startSwitchyard,
  switchyardHeaders,
  SWITCHYARD_CLOUD_MODEL,
  type RunningServer,
} from "./lib/servers.js";

const UPSTREAM_MODEL = "upstream-gpt";
/** Upper bound on any loop's requests, whatever its duration says (20,000 req/s is beyond every target here). */
const MAX_REQUESTS_PER_SECOND = 20_000;
const SCENARIOS: readonly Scenario[] = [
  { id: "sequential", label: "sequential (c=1)", kind: "closed", concurrency: 1 },
  { id: "c32", label: "closed loop c=32", kind: "closed", concurrency: 32 },
  { id: "rate500", label: "open loop 500 req/s", kind: "open", ratePerSecond: 500 },
];

interface Options {
  seconds: number;
  warmupSeconds: number;
  targets: TargetName[];
  scenarios: string[];
  kinds: boolean[];
  logLevel: string | undefined;
  cpuProfileDir: string | undefined;
  candidateDir: string | undefined;
  switchyardDir: string;
  /** Sessions on, and the candidate keeps them in Redis. */
  redisContext: boolean;
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const machine = machineLine();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.targets.includes("portkey")) ensurePortkeyInstalled(log);
  const workDir = await mkdtemp(join(tmpdir(), "switchyard-bench-overhead-"));
  const servers: RunningServer[] = [];
  try {
    const { upstreamOrigin, origins, pids } = await startServers(options, workDir, servers);
    const targetsFor = (stream: boolean) => buildTargets(options.targets, origins, upstreamOrigin, stream, options.redisContext);

    log("warming up every target (JIT, connection pools) …");
    for (const stream of [false, true]) {
      for (const target of targetsFor(stream)) await warmUp(target, stream, 32, Math.max(1, options.warmupSeconds) * 2000);
    }

    const cells: Cell[] = [];
    for (const stream of options.kinds) {
      for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.id))) {
        for (const target of targetsFor(stream)) {
          const name = target.name as TargetName;
          const pid = pids[name] ?? 0;
          const result = await measure(target, scenario, stream, options, pid);
          log(
            `${stream ? "stream " : "json   "} ${scenario.label.padEnd(20)} ${name.padEnd(10)} ${result.rps.toFixed(0).padStart(6)} req/s  ` +
              `p50 ${summarize(result.samples.map((s) => s.totalMs)).p50.toFixed(2)} ms  cpu ${result.serverCpuMsPerRequest.toFixed(3)} ms/req  errors ${result.errors + result.dropped}`,
          );
          cells.push({ target: name, scenario, stream, result, serverCpuMsPerRequest: result.serverCpuMsPerRequest });
        }
      }
    }
    process.stdout.write(
      overheadReport(cells, {
        command: `npm run bench -- overhead ${args.join(" ")}`.trim(),
        machine,
        source: switchyardSource(options.switchyardDir, REPO_ROOT),
        seconds: options.seconds,
        logLevel: options.logLevel ?? "info (default)",
      }),
    );
  } finally {
    for (const server of servers.reverse()) await server.child.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

interface StartedServers {
  upstreamOrigin: string;
  origins: Partial<Record<TargetName, string>>;
  /** Whose CPU a request through each target costs: the upstream's for direct, the gateway's otherwise. */
  pids: Partial<Record<TargetName, number>>;
}

/** Starts the upstream and every gateway asked for; each started server is added to `servers` at once, so a later failure still stops it. */
async function startServers(options: Options, workDir: string, servers: RunningServer[]): Promise<StartedServers> {
  const upstream = await startFakeUpstream(workDir);
  servers.push(upstream);
  const started: StartedServers = { upstreamOrigin: upstream.origin, origins: { direct: upstream.origin }, pids: { direct: upstream.child.pid } };
  const add = (name: TargetName, server: RunningServer) => {
    servers.push(server);
    started.origins[name] = server.origin;
    started.pids[name] = server.child.pid;
  };
  if (options.targets.includes("node-proxy")) add("node-proxy", await startReferenceProxy(workDir, "node", upstream.origin));
  if (options.targets.includes("sdk-proxy")) add("sdk-proxy", await startReferenceProxy(workDir, "sdk", upstream.origin));
  const modelsYaml = cloudModelsYaml(`${upstream.origin}/v1`);
  if (options.targets.includes("switchyard")) {
    add("switchyard", await startSwitchyard(workDir, { modelsYaml, logLevel: options.logLevel, repoDir: options.switchyardDir, cpuProfileDir: options.cpuProfileDir }));
  }
  if (options.targets.includes("candidate") && options.candidateDir) {
    const cpuProfileDir = options.cpuProfileDir && join(options.cpuProfileDir, "candidate");
    const env: Record<string, string> = {};
    if (options.redisContext) {
      const redis = await startRedisServer();
      servers.push({ origin: redis.url, child: { name: "redis", pid: redis.process.pid ?? 0, stop: () => redis.stop(), stderrTail: () => "" } });
      env.REDIS_URL = redis.url;
    }
    add("candidate", await startSwitchyard(workDir, { modelsYaml, logLevel: options.logLevel, repoDir: options.candidateDir, name: "candidate", cpuProfileDir, env }));
  }
  if (options.targets.includes("portkey")) add("portkey", await startPortkey(workDir));
  return started;
}

function buildTargets(names: readonly TargetName[], origins: Partial<Record<TargetName, string>>, upstreamOrigin: string, stream: boolean, sessions: boolean): HttpTarget[] {
  const path = "/v1/chat/completions";
  const gateway = () => (sessions ? { ...switchyardHeaders(), "x-session-id": "bench-session" } : switchyardHeaders());
  const make: Record<TargetName, () => HttpTarget> = {
    direct: () => ({ name: "direct", origin: upstreamOrigin, path, headers: directHeaders(), body: chatBody(UPSTREAM_MODEL, stream) }),
    "node-proxy": () => ({ name: "node-proxy", origin: origins["node-proxy"] ?? "", path, headers: directHeaders(), body: chatBody(UPSTREAM_MODEL, stream) }),
    "sdk-proxy": () => ({ name: "sdk-proxy", origin: origins["sdk-proxy"] ?? "", path, headers: directHeaders(), body: chatBody(UPSTREAM_MODEL, stream) }),
    switchyard: () => ({ name: "switchyard", origin: origins.switchyard ?? "", path, headers: gateway(), body: chatBody(SWITCHYARD_CLOUD_MODEL, stream) }),
    candidate: () => ({ name: "candidate", origin: origins.candidate ?? "", path, headers: gateway(), body: chatBody(SWITCHYARD_CLOUD_MODEL, stream) }),
    portkey: () => ({ name: "portkey", origin: origins.portkey ?? "", path, headers: portkeyHeaders(upstreamOrigin), body: chatBody(UPSTREAM_MODEL, stream) }),
  };
  return names.map((name) => httpTarget(make[name]()));
}

async function warmUp(target: HttpTarget, stream: boolean, concurrency: number, durationMs: number): Promise<void> {
  const agent = keepAliveAgent(concurrency);
  try {
    const probe = await send(target, agent, performance.now(), stream);
    if (!probe.ok) throw new Error(`${target.name} (${stream ? "streaming" : "non-streaming"}) does not answer 200 to the benchmark request`);
    await closedLoop(target, agent, { concurrency, durationMs, maxRequests: (durationMs / 1000) * MAX_REQUESTS_PER_SECOND, stream });
  } finally {
    agent.destroy();
  }
}

/**
 * One cell: a fresh connection pool, warmed in the same shape, then the measured window with the
 * serving process's CPU time read around it.
 */
async function measure(target: HttpTarget, scenario: Scenario, stream: boolean, options: Options, serverPid: number): Promise<LoadResult & { serverCpuMsPerRequest: number }> {
  // Open loop: enough sockets that the client never queues, so any queueing is the server's.
  const agent = keepAliveAgent(scenario.kind === "closed" ? scenario.concurrency : 256);
  const run = (seconds: number) => {
    const durationMs = seconds * 1000;
    return scenario.kind === "closed"
      ? closedLoop(target, agent, { concurrency: scenario.concurrency, durationMs, maxRequests: seconds * MAX_REQUESTS_PER_SECOND, stream })
      : openLoop(target, agent, { ratePerSecond: scenario.ratePerSecond, durationMs, maxInFlight: 1000, stream });
  };
  try {
    await run(options.warmupSeconds);
    const cpuBefore = await cpuTimeMs(serverPid);
    const result = await run(options.seconds);
    const cpuMs = (await cpuTimeMs(serverPid)) - cpuBefore;
    return { ...result, serverCpuMsPerRequest: cpuMs / Math.max(1, result.samples.length + result.errors) };
  } finally {
    agent.destroy();
  }
}

function parseOptions(args: readonly string[]): Options {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const targets = (value("targets") ?? "direct,switchyard,portkey").split(",").filter(Boolean) as TargetName[];
  for (const target of targets) {
    if (!["direct", "node-proxy", "sdk-proxy", "switchyard", "candidate", "portkey"].includes(target)) throw new Error(`unknown target '${target}'`);
  }
  if (!targets.includes("direct")) targets.unshift("direct");
  const redisContext = value("context") === "redis";
  const switchyardDir = value("switchyard-dir") ?? REPO_ROOT;
  const candidateDir = value("candidate-dir") ?? (redisContext ? switchyardDir : undefined);
  if (candidateDir && !targets.includes("candidate")) targets.splice(targets.indexOf("switchyard") + 1, 0, "candidate");
  return {
    seconds: Number(value("seconds") ?? 4),
    warmupSeconds: Number(value("warmup-seconds") ?? 1),
    targets,
    scenarios: (value("scenarios") ?? SCENARIOS.map((s) => s.id).join(",")).split(","),
    kinds: (value("kinds") ?? "json,stream").split(",").map((kind) => kind === "stream"),
    logLevel: value("log-level"),
    cpuProfileDir: value("cpu-profile-dir"),
    candidateDir,
    switchyardDir,
    redisContext,
  };
}
