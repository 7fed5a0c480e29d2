/**
 * `npm run bench -- local [--reps=20] [--warmup=300] [--max-tokens=200] [--threads=1] [--parallel=4]
 *   [--switchyard-dir=CHECKOUT] [--candidate-dir=CHECKOUT] [--floor] [--cpu-profile-dir=DIR]`
 *
 * `--floor` adds a row for `bench/lib/local-floor-server.ts`: bare `node:http` streaming the same model
 * from its own process — what any out-of-process server pays before doing gateway work.
 *
 * `--warmup` short (2-token) requests go to each side first: a serving gateway runs its per-request
 * code JIT-compiled, and a few dozen measured requests alone would time it half interpreted.
 *
 * Streaming tokens/s and time to first token of the local model (stories260K), through Switchyard
 * (its own process, `npm start`, over HTTP) and through node-llama-cpp called directly in this
 * process with the same model, context, threads and generation parameters. Runs alternate between
 * the two so drift on a shared machine hits both alike; the report shows medians.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { keepAliveAgent } from "./lib/http-load.js";
import { cpuTimeMs } from "./lib/processes.js";
import { machineLine, switchyardSource } from "./lib/machine.js";
import { loadDirectModel, type GenerationParams, type StreamTiming } from "./lib/local-direct.js";
import { count, markdownTable, ms } from "./lib/markdown.js";
import { NO_FALLBACK_ROUTING } from "../test/support/routing-fixtures.js";
import { localModelsYaml, REPO_ROOT, startLocalFloor, startSwitchyard, STORIES_MODEL, switchyardHeaders, type RunningServer } from "./lib/servers.js";
import { sseChat } from "./lib/sse-client.js";
import { median, percentile } from "./lib/stats.js";

const CONTEXT_WINDOW = 512;
const PROMPT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

interface Options {
  reps: number;
  /** Short requests each side serves first, so per-request code runs JIT-compiled as in a busy gateway. */
  warmup: number;
  maxTokens: number;
  threads: number;
  parallel: number;
  candidateDir: string | undefined;
  /** Add the floor row: a bare node:http server streaming the same model in its own process. */
  floor: boolean;
  cpuProfileDir: string | undefined;
  switchyardDir: string;
}

interface Runner {
  name: string;
  run(): Promise<StreamTiming>;
  /** The same request with a 2-token answer: warms the per-request path without generating much. */
  runShort(): Promise<unknown>;
  /** CPU time so far of the process that generates (all threads): this one for direct, the gateway's otherwise. */
  cpuMs(): Promise<number>;
}

interface Measured extends StreamTiming {
  cpuMs: number;
}

const ownCpuMs = async () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const machine = machineLine();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const params: GenerationParams = { prompt: PROMPT, maxTokens: options.maxTokens, temperature: 0 };
  const workDir = await mkdtemp(join(tmpdir(), "switchyard-bench-local-"));
  const modelsYaml = localModelsYaml({ modelPath: STORIES_MODEL, contextWindow: CONTEXT_WINDOW, threads: options.threads, parallel: options.parallel });
  const servers: RunningServer[] = [];
  const agent = keepAliveAgent(1);
  const direct = await loadDirectModel({ modelPath: STORIES_MODEL, contextWindow: CONTEXT_WINDOW, sequences: options.parallel, threads: options.threads });
  try {
    const switchyard = await startSwitchyard(workDir, { modelsYaml, routingYaml: NO_FALLBACK_ROUTING, repoDir: options.switchyardDir, cpuProfileDir: options.cpuProfileDir });
    servers.push(switchyard);
    const body = { model: "local", messages: [{ role: "user", content: PROMPT }], max_tokens: options.maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } };
    const runners: Runner[] = [
      { name: "node-llama-cpp direct", run: () => direct.generate(params), runShort: () => direct.generate({ ...params, maxTokens: 2 }), cpuMs: ownCpuMs },
      {
        name: "through Switchyard",
        run: () => sseChat(switchyard.origin, switchyardHeaders(), body, agent),
        runShort: () => sseChat(switchyard.origin, switchyardHeaders(), { ...body, max_tokens: 2 }, agent),
        cpuMs: () => cpuTimeMs(switchyard.child.pid),
      },
    ];
    if (options.floor) {
      const floor = await startLocalFloor(workDir, { modelPath: STORIES_MODEL, contextWindow: CONTEXT_WINDOW, threads: options.threads, sequences: options.parallel });
      servers.push(floor);
      runners.push({
        name: "floor: bare node:http server",
        run: () => sseChat(floor.origin, {}, body, agent),
        runShort: () => sseChat(floor.origin, {}, { ...body, max_tokens: 2 }, agent),
        cpuMs: () => cpuTimeMs(floor.child.pid),
      });
    }
    if (options.candidateDir) {
      const candidate = await startSwitchyard(workDir, { modelsYaml, routingYaml: NO_FALLBACK_ROUTING, repoDir: options.candidateDir, name: "candidate" });
      servers.push(candidate);
      runners.push({
        name: "through candidate",
        run: () => sseChat(candidate.origin, switchyardHeaders(), body, agent),
        runShort: () => sseChat(candidate.origin, switchyardHeaders(), { ...body, max_tokens: 2 }, agent),
        cpuMs: () => cpuTimeMs(candidate.child.pid),
      });
    }

    log(`warming up (${options.warmup} short requests and 3 full ones each) …`);
    for (const runner of runners) {
      for (let i = 0; i < options.warmup; i++) await runner.runShort();
      for (let i = 0; i < 3; i++) await runner.run();
    }
    const timings = new Map<string, Measured[]>(runners.map((r) => [r.name, []]));
    for (let rep = 0; rep < options.reps; rep++) {
      // Alternate the order too, so neither side always runs right after the other.
      const order = rep % 2 === 0 ? runners : [...runners].reverse();
      for (const runner of order) {
        const cpuBefore = await runner.cpuMs();
        const timing = await runner.run();
        timings.get(runner.name)?.push({ ...timing, cpuMs: (await runner.cpuMs()) - cpuBefore });
      }
    }
    process.stdout.write(report(runners, timings, options, { command: `npm run bench -- local ${args.join(" ")}`.trim(), machine, source: switchyardSource(options.switchyardDir, REPO_ROOT) }));
  } finally {
    agent.destroy();
    for (const server of servers.reverse()) await server.child.stop();
    await direct.dispose();
    await rm(workDir, { recursive: true, force: true });
  }
}

function report(runners: readonly Runner[], timings: Map<string, Measured[]>, options: Options, run: { command: string; machine: string; source: string }): string {
  const rows = runners.map((runner) => {
    const runs = timings.get(runner.name) ?? [];
    const tokens = median(runs.map((r) => r.completionTokens));
    return {
      name: runner.name,
      tokens,
      ttft: median(runs.map((r) => r.ttftMs)),
      total: median(runs.map((r) => r.totalMs)),
      endToEnd: median(runs.map((r) => (r.completionTokens / r.totalMs) * 1000)),
      endToEndSpread: interquartile(runs.map((r) => (r.completionTokens / r.totalMs) * 1000)),
      ttftSpread: interquartile(runs.map((r) => r.ttftMs)),
      cpu: median(runs.map((r) => r.cpuMs)),
      decode: median(runs.map((r) => ((r.completionTokens - 1) / r.decodeMs) * 1000)),
      sameText: runs.every((r) => r.text === (timings.get(runners[0]?.name ?? "")?.[0]?.text ?? "")),
    };
  });
  const base = rows[0];
  const out: string[] = [];
  out.push(`Command: \`${run.command}\`  `);
  out.push(`Machine: ${run.machine}  `);
  out.push(`Switchyard: ${run.source}  `);
  out.push(
    `Model stories260K, prompt of ${PROMPT.length} characters, temperature 0, max_tokens ${options.maxTokens}, threads ${options.threads}, ` +
      `${options.parallel} context sequences; ${options.reps} alternating runs each after ${options.warmup} short (2-token) and 3 full warm-up requests, medians (and the interquartile range, p25–p75, of the runs). Tokens/s end to end = completion tokens ÷ total time; ` +
      `decode = tokens after the first ÷ time from first to last text; CPU = user + system time of the generating process (all threads, llama.cpp's included) per answer.`,
  );
  out.push("");
  out.push(
    markdownTable(
      ["path", "completion tokens", "TTFT ms", "TTFT p25–p75", "+TTFT ms", "total ms", "tokens/s end to end", "p25–p75", "% of direct", "tokens/s decode", "% of direct", "CPU ms per answer", "same text as direct"],
      rows.map((r) => [
        r.name,
        count(r.tokens),
        ms(r.ttft),
        `${ms(r.ttftSpread[0])}–${ms(r.ttftSpread[1])}`,
        r === base || !base ? "" : `${r.ttft - base.ttft >= 0 ? "+" : "−"}${ms(Math.abs(r.ttft - base.ttft))}`,
        ms(r.total),
        count(r.endToEnd),
        `${count(r.endToEndSpread[0])}–${count(r.endToEndSpread[1])}`,
        base ? `${((r.endToEnd / base.endToEnd) * 100).toFixed(1)}%` : "",
        count(r.decode),
        base ? `${((r.decode / base.decode) * 100).toFixed(1)}%` : "",
        ms(r.cpu),
        r.sameText ? "yes" : "**no**",
      ]),
    ),
  );
  const through = rows[1];
  if (base && through) {
    const share = through.endToEnd / base.endToEnd;
    const ttft = through.ttft - base.ttft;
    out.push("");
    out.push(`Targets: tokens/s ≥ 90% of direct — ${(share * 100).toFixed(1)}%, ${share >= 0.9 ? "met" : "**not met**"}; TTFT within 1 ms of direct — ${ttft >= 0 ? "+" : "−"}${ms(Math.abs(ttft))} ms, ${ttft <= 1 ? "met" : "**not met**"}.`);
  }
  return `${out.join("\n")}\n`;
}

function interquartile(values: readonly number[]): [number, number] {
  const sorted = Float64Array.from(values).sort();
  return [percentile(sorted, 25), percentile(sorted, 75)];
}

function parseOptions(args: readonly string[]): Options {
  const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    reps: Number(value("reps") ?? 20),
    warmup: Number(value("warmup") ?? 300),
    maxTokens: Number(value("max-tokens") ?? 200),
    // Switchyard's default is cores − 1; both sides get it explicitly so they are comparable.
    threads: Number(value("threads") ?? Math.max(1, availableParallelism() - 1)),
    parallel: Number(value("parallel") ?? 4),
    candidateDir: value("candidate-dir"),
    floor: args.includes("--floor"),
    cpuProfileDir: value("cpu-profile-dir"),
    switchyardDir: value("switchyard-dir") ?? REPO_ROOT,
  };
}
