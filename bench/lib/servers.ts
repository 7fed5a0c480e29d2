/**
 * The servers the benchmarks measure, each in its own process on 127.0.0.1: the fake OpenAI upstream,
 * Switchyard (as `npm start` runs it) and Portkey's open-source gateway.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NO_FALLBACK_ROUTING } from "../../test/support/routing-fixtures.js";
import { freePort, startChild, waitForFile, waitForHttp, type ChildServer } from "./processes.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const STORIES_MODEL = resolve(REPO_ROOT, "../shared/models/stories260K/stories260K.gguf");
const PORTKEY_DIR = join(REPO_ROOT, "bench/portkey");
const PORTKEY_SERVER = join(PORTKEY_DIR, "node_modules/@portkey-ai/gateway/build/start-server.js");

/** Client key Switchyard is configured with: the benchmark runs it with authentication on, as in production. */
export const SWITCHYARD_CLIENT_KEY = "sk-bench-client";
const UPSTREAM_KEY = "sk-bench-upstream";

export interface RunningServer {
  origin: string;
  child: ChildServer;
}

export async function startFakeUpstream(workDir: string): Promise<RunningServer> {
  const urlFile = join(workDir, "upstream.url");
  const child = startChild({
    name: "fake-upstream",
    command: process.execPath,
    args: ["--import", "tsx", "bench/lib/fake-upstream-server.ts", urlFile],
    cwd: REPO_ROOT,
    stdoutFile: join(workDir, "upstream.log"),
  });
  return { origin: await waitForFile(urlFile, { timeoutMs: 20_000, child }), child };
}

export interface SwitchyardOptions {
  /** Replaces the shipped routing.yaml (for model sets it does not fit). */
  routingYaml?: string;
  /** Extra environment (e.g. REDIS_URL). */
  env?: Record<string, string>;
  /** The policy folder's models.yaml. */
  modelsYaml: string;
  /** A checkout to run instead of this one (A/B a branch or a prototype side by side). */
  repoDir?: string;
  name?: string;
  logLevel?: string;
  /** Write a V8 CPU profile of the gateway process here when it exits. */
  cpuProfileDir?: string;
  /** More Node options for the gateway process (`--trace-gc`). */
  nodeArgs?: string[];
}

export type ReferenceProxyMode = "node" | "sdk";

/** A reference proxy (`bench/lib/reference-proxy.ts`) in front of the upstream: the floor under a gateway's overhead. */
export async function startReferenceProxy(workDir: string, mode: ReferenceProxyMode, upstreamOrigin: string): Promise<RunningServer> {
  const urlFile = join(workDir, `${mode}-proxy.url`);
  const child = startChild({
    name: `${mode}-proxy`,
    command: process.execPath,
    args: ["--import", "tsx", "bench/lib/reference-proxy.ts", mode, upstreamOrigin, urlFile],
    cwd: REPO_ROOT,
    stdoutFile: join(workDir, `${mode}-proxy.log`),
  });
  return { origin: await waitForFile(urlFile, { timeoutMs: 20_000, child }), child };
}

/** The local floor (`bench/lib/local-floor-server.ts`): bare `node:http` streaming node-llama-cpp's answer. */
export async function startLocalFloor(
  workDir: string,
  options: { modelPath: string; contextWindow: number; threads: number; sequences: number },
): Promise<RunningServer> {
  const urlFile = join(workDir, "local-floor.url");
  const child = startChild({
    name: "local-floor",
    command: process.execPath,
    args: ["--import", "tsx", "bench/lib/local-floor-server.ts", options.modelPath, String(options.contextWindow), String(options.threads), String(options.sequences), urlFile],
    cwd: REPO_ROOT,
    stdoutFile: join(workDir, "local-floor.log"),
  });
  return { origin: await waitForFile(urlFile, { timeoutMs: 60_000, child }), child };
}

/** The cloud model id the benchmark requests route to. */
export const SWITCHYARD_CLOUD_MODEL = "cloud";

export async function startSwitchyard(workDir: string, options: SwitchyardOptions): Promise<RunningServer> {
  const name = options.name ?? "switchyard";
  const policyDir = join(workDir, `${name}-policies`);
  await mkdir(policyDir, { recursive: true });
  // The checkout's shipped policies (routing, PII, intents, budgets), with the benchmark's models.
  await cp(join(options.repoDir ?? REPO_ROOT, "policies"), policyDir, { recursive: true });
  await writeFile(join(policyDir, "models.yaml"), options.modelsYaml);
  if (options.routingYaml) await writeFile(join(policyDir, "routing.yaml"), options.routingYaml);
  const port = await freePort();
  const profile = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = startChild({
    name,
    command: process.execPath,
    args: [...profile, ...(options.nodeArgs ?? []), "--import", "tsx", "src/main.ts", "serve"],
    cwd: options.repoDir ?? REPO_ROOT,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      SWITCHYARD_POLICY_DIR: policyDir,
      SWITCHYARD_API_KEYS: SWITCHYARD_CLIENT_KEY,
      BENCH_UPSTREAM_KEY: UPSTREAM_KEY,
      ...(options.logLevel ? { LOG_LEVEL: options.logLevel } : {}),
      ...options.env,
    },
    stdoutFile: join(workDir, `${name}.log`),
  });
  const origin = `http://127.0.0.1:${port}`;
  // Ready means every component loaded (the local model too), so no start-up work overlaps a measurement.
  await waitForHttp(`${origin}/readyz`, (status, body) => status === 200 && !body.includes('"loading"'), { timeoutMs: 60_000, child });
  return { origin, child };
}

/** The overhead benchmark's models: the cloud route to the fake upstream, plus the local model as deployed. */
export function cloudModelsYaml(upstreamBaseURL: string): string {
  return `
providers:
  local:
    type: llama_cpp
    threads: 1
  upstream:
    type: openai_compatible
    base_url: ${upstreamBaseURL}
    api_key_env: BENCH_UPSTREAM_KEY
models:
  stories:
    provider: local
    path: ${STORIES_MODEL}
    context_window: 512
  upstream-gpt:
    provider: upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
  gpt-4o:
    provider: upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
defaults:
  local: stories
  cloud: upstream-gpt
`;
}

/** The local benchmark's models: only the in-process llama.cpp route. */
export function localModelsYaml(options: { modelPath: string; contextWindow: number; threads: number; parallel: number }): string {
  return `
providers:
  local:
    type: llama_cpp
    threads: ${options.threads}
    parallel: ${options.parallel}
models:
  stories:
    provider: local
    path: ${options.modelPath}
    context_window: ${options.contextWindow}
defaults:
  local: stories
`;
}

export function switchyardHeaders(): Record<string, string> {
  return { authorization: `Bearer ${SWITCHYARD_CLIENT_KEY}` };
}

export function portkeyHeaders(upstreamOrigin: string): Record<string, string> {
  return {
    authorization: `Bearer ${UPSTREAM_KEY}`,
    "x-portkey-provider": "openai",
    "x-portkey-custom-host": `${upstreamOrigin}/v1`,
  };
}

export function directHeaders(): Record<string, string> {
  return { authorization: `Bearer ${UPSTREAM_KEY}` };
}

/** Installs Portkey into bench/portkey from the npm registry when it is missing (pinned by its package.json). */
export function ensurePortkeyInstalled(log: (line: string) => void): void {
  if (existsSync(PORTKEY_SERVER)) return;
  log("installing @portkey-ai/gateway into bench/portkey (npm registry) …");
  const result = spawnSync("npm", ["install", "--prefix", PORTKEY_DIR, "--no-package-lock", "--no-audit", "--no-fund"], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0 || !existsSync(PORTKEY_SERVER)) throw new Error("npm install --prefix bench/portkey failed");
}

export async function startPortkey(workDir: string): Promise<RunningServer> {
  const port = await freePort();
  const child = startChild({
    name: "portkey",
    command: process.execPath,
    args: [PORTKEY_SERVER, `--port=${port}`, "--headless"],
    cwd: PORTKEY_DIR,
    stdoutFile: join(workDir, "portkey.log"),
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, (status) => status === 200, { timeoutMs: 30_000, child });
  return { origin, child };
}
