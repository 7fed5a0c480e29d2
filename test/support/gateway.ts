/**
 * Starts a real gateway (in-process, on a free loopback port) over a policy folder the test writes,
 * with the real stories260K model on the local route and a fake upstream on the cloud route.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import OpenAI from "openai";
import { afterAll, beforeAll } from "vitest";
import { createGateway, type Gateway } from "../../src/app.js";
import { loadGatewayConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/logging.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from "./fake-openai.js";

export const SHIPPED_POLICIES = resolve(import.meta.dirname, "../../policies");
export const STORIES_MODEL = resolve(import.meta.dirname, "../../../shared/models/stories260K/stories260K.gguf");
export const TINY_RANDOM_MODEL = resolve(import.meta.dirname, "../../../shared/models/llama-2-tiny-random/llama-2-tiny-random.gguf");

export interface ModelsYamlOptions {
  cloudBaseURL: string;
  parallel?: number;
  queue?: number;
  queueTimeoutMs?: number;
  timeoutMs?: number;
  maxRetries?: number;
  localPath?: string;
  /** The local model's `max_output_tokens` (default 64); stories260K writes ~2,000 tokens in several seconds. */
  localMaxOutputTokens?: number;
}

export function testModelsYaml(o: ModelsYamlOptions): string {
  return `
providers:
  local:
    type: llama_cpp
    threads: 1
    parallel: ${o.parallel ?? 2}
    queue: ${o.queue ?? 16}
    queue_timeout_ms: ${o.queueTimeoutMs ?? 30000}
  fake:
    type: openai_compatible
    base_url: ${o.cloudBaseURL}
    api_key_env: FAKE_CLOUD_KEY
    timeout_ms: ${o.timeoutMs ?? 5000}
    max_retries: ${o.maxRetries ?? 2}
models:
  stories:
    provider: local
    path: ${o.localPath ?? STORIES_MODEL}
    context_window: 2048
    max_output_tokens: ${o.localMaxOutputTokens ?? 64}
    capabilities: { tools: false, json_schema: true, vision: false }
    price: { usd_per_hour: 0.1 }
  fake-gpt:
    provider: fake
    upstream_model: upstream-gpt
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
  gpt-4o:
    provider: fake
    upstream_model: upstream-gpt-4o
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 2.5, output_per_1m: 10 }
defaults:
  local: stories
  cloud: fake-gpt
  baseline: gpt-4o
`;
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  server: RunningServer;
  policyDir: string;
  /** Log lines the gateway wrote (JSON strings). */
  logs: string[];
  client(options?: { apiKey?: string; maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

/** A JSON answer of the gateway, error bodies in OpenAI's shape included. */
export interface JsonAnswer {
  status: number;
  json: Record<string, unknown> & { error?: { message: string; type: string; code: string; param: string | null } };
  headers: Headers;
}

/** POSTs `body` as JSON to `path` of the gateway at `baseUrl` (no auth) and reads the JSON answer. */
export async function postJson(baseUrl: string, path: string, body: unknown): Promise<JsonAnswer> {
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as JsonAnswer["json"], headers: response.headers };
}

export { NO_FALLBACK_ROUTING } from "./routing-fixtures.js";

/** The shipped policy files, with a test `models.yaml` (and optionally other files) replacing theirs. */
export async function writePolicyDir(files: Record<string, string>): Promise<string> {
  const policyDir = await mkdtemp(join(tmpdir(), "switchyard-policies-"));
  await cp(SHIPPED_POLICIES, policyDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(policyDir, name), text);
  return policyDir;
}

export interface TestGatewayOptions {
  modelsYaml: string;
  /** Policy files replacing the shipped ones (e.g. `routing.yaml`). */
  files?: Record<string, string>;
  env?: Record<string, string>;
  waitForModels?: boolean;
  watchPolicies?: boolean;
  /** The clock of server pools' cool-downs (`base_urls`), for tests that move time instead of waiting. */
  poolClock?: () => number;
  /** The usage records' and budgets' clock; default: the real time, held within the month the gateway started in. */
  usageClock?: () => number;
}

/**
 * The shipped pii.yaml with a scan budget no loaded CI machine overruns: a scan that fails its budget
 * fails closed (503), which is tested on purpose elsewhere, never by accident here.
 */
async function relaxedPiiPolicy(): Promise<string> {
  const shipped = await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
  return shipped.replace(/^  budget_ms: \d+/m, "  budget_ms: 5000");
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const policyDir = await writePolicyDir({ "pii.yaml": await relaxedPiiPolicy(), ...options.files, "models.yaml": options.modelsYaml });
  const env = { SWITCHYARD_POLICY_DIR: policyDir, FAKE_CLOUD_KEY: "sk-upstream-secret", LOG_LEVEL: "info", ...options.env };
  const config = await loadGatewayConfig(env, process.cwd());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const log = createLogger(config.env.LOG_LEVEL, sink);
  const gateway = await createGateway(config, {
    log,
    watchPolicies: options.watchPolicies ?? false,
    usageClock: options.usageClock ?? clockWithinThisMonth(),
    ...(options.poolClock ? { poolClock: options.poolClock } : {}),
  });
  const server = await startServer(gateway, { port: 0, host: "127.0.0.1", log, shutdownTimeoutMs: 2000 });
  if (options.waitForModels ?? true) await gateway.start();
  else void gateway.start();
  return {
    url: server.url,
    gateway,
    server,
    policyDir,
    logs,
    client: (o = {}) => new OpenAI({ apiKey: o.apiKey ?? "unused-key", baseURL: `${server.url}/v1`, maxRetries: o.maxRetries ?? 0 }),
    async close() {
      await server.close(2000);
      await rm(policyDir, { recursive: true, force: true });
    },
  };
}

export interface FakeCloudGateway {
  readonly fake: FakeOpenAI;
  readonly gw: TestGateway;
}

/** What `upstreamGateway` starts an upstream as: a server a models.yaml can point at. */
export interface TestUpstream {
  readonly baseURL: string;
  close(): Promise<void>;
}

/**
 * For one test file (or describe block): an upstream `start` starts and a gateway whose models.yaml
 * `modelsYaml` writes for it, started in `beforeAll` and closed in `afterAll`, gateway first. Read both
 * through the handle once the hooks have run. For the fake OpenAI server, `fakeCloudGateway` says less.
 *
 * @example
 * const legacy = upstreamGateway(startLegacyCallUpstream, { modelsYaml: (u) => legacyModelsYaml(u.baseURL) });
 * it("…", async () => { await legacy.gw.client().chat.completions.create(body); expect(legacy.upstream.received).toHaveLength(1); });
 */
export function upstreamGateway<U extends TestUpstream>(
  start: () => Promise<U>,
  options: { modelsYaml: (upstream: U) => string; gateway?: Omit<TestGatewayOptions, "modelsYaml"> },
): { readonly upstream: U; readonly gw: TestGateway } {
  let upstream: U | undefined;
  let gw: TestGateway | undefined;
  beforeAll(async () => {
    upstream = await start();
    gw = await startTestGateway({ ...options.gateway, modelsYaml: options.modelsYaml(upstream) });
  });
  afterAll(async () => {
    await gw?.close();
    await upstream?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: read it inside a test or hook`);
    return value;
  };
  return {
    get upstream() {
      return started(upstream, "the upstream");
    },
    get gw() {
      return started(gw, "the gateway");
    },
  };
}

/**
 * For one test file: a fake cloud upstream (scripted by `fake`) and a gateway whose models.yaml points
 * at it (no upstream retries unless `models` says so), started in `beforeAll` and closed in `afterAll`,
 * gateway first. Read both through the handle once the hooks have run.
 *
 * @example
 * const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });
 * it("…", async () => { await postJson(cloud.gw.url, "/v1/route", body); expect(cloud.fake.requests).toHaveLength(0); });
 */
export function fakeCloudGateway(
  options: { fake?: FakeOpenAIOptions; models?: Omit<ModelsYamlOptions, "cloudBaseURL">; gateway?: Omit<TestGatewayOptions, "modelsYaml"> } = {},
): FakeCloudGateway {
  const started = upstreamGateway(() => startFakeOpenAI(options.fake), {
    modelsYaml: (fake) => testModelsYaml({ maxRetries: 0, ...options.models, cloudBaseURL: fake.baseURL }),
    ...(options.gateway ? { gateway: options.gateway } : {}),
  });
  return {
    get fake() {
      return started.upstream;
    },
    get gw() {
      return started.gw;
    },
  };
}

/**
 * The real time, held at the last millisecond of the month it was made in: a test that spends a
 * budget and then expects a 429 must not see a new month's empty budget because it ran across
 * midnight on the 1st (UTC).
 */
export function clockWithinThisMonth(): () => number {
  const now = new Date();
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - 1;
  return () => Math.min(Date.now(), monthEnd);
}
