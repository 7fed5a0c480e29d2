/**
 * A fixed model catalog and helpers to compile routing YAML against it, for the policy tests.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import type { CatalogModel, PolicyCatalog } from "../../src/policy/catalog.js";
import type { CompiledPolicy } from "../../src/policy/compile.js";
import type { RequestFeatures } from "../../src/policy/features.js";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import type { IntentsInfo } from "../../src/policy/check-files.js";
import { compileRoutingText } from "../../src/policy/load.js";

const model = (m: Partial<CatalogModel> & Pick<CatalogModel, "id" | "location" | "providerId">): CatalogModel => ({
  inProcess: false,
  contextWindow: 128_000,
  tools: true,
  jsonSchema: true,
  vision: true,
  ...m,
});

/** local-slm (in-process, small, no tools/vision), pool-8k (local server), three cloud models. */
export const MODELS: CatalogModel[] = [
  model({ id: "local-slm", location: "local", providerId: "local", inProcess: true, contextWindow: 4096, tools: false, vision: false }),
  model({ id: "pool-8k", location: "local", providerId: "pool", contextWindow: 8192, tools: true, vision: false }),
  model({ id: "gpt-4o-mini", location: "cloud", providerId: "openai" }),
  model({ id: "gpt-4o", location: "cloud", providerId: "openai" }),
  model({ id: "claude", location: "cloud", providerId: "anthropic", jsonSchema: false }),
];

export function catalog(models: CatalogModel[] = MODELS, defaults = { local: "local-slm", cloud: "gpt-4o-mini" }): PolicyCatalog {
  const map = new Map(models.map((m) => [m.id, m]));
  return { models: map, defaultLocal: map.get(defaults.local), defaultCloud: map.get(defaults.cloud) };
}

export const INTENTS: IntentsInfo = {
  names: ["greeting", "faq", "code", "math", "essay"],
  routes: new Map([
    ["greeting", "local"],
    ["faq", "local"],
    ["code", "cloud"],
    ["math", "cloud"],
    ["essay", "cloud"],
  ]),
};

export function compile(yaml: string, options: { catalog?: PolicyCatalog; intents?: IntentsInfo; version?: string } = {}): CompiledPolicy {
  return compileRoutingText({
    file: "routing.yaml",
    text: yaml,
    catalog: options.catalog ?? catalog(),
    intents: options.intents ?? INTENTS,
    version: options.version ?? "test",
  }).policy;
}

/** The formatted problems (`file:line:col: path: message`) of a routing.yaml that must be rejected. */
export function problemsOf(text: string, options: { labels?: string[] } = {}): string[] {
  try {
    compileRoutingText({ file: "routing.yaml", text, catalog: catalog(), intents: INTENTS, labels: options.labels });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error("expected the policy to be rejected");
}

export function features(patch: Partial<RequestFeatures> = {}): RequestFeatures {
  return {
    requestedModel: "auto",
    tenant: "acme",
    intent: "faq",
    confidence: 0.9,
    unsure: false,
    promptTokens: 100,
    turns: 1,
    hasTools: false,
    hasImages: false,
    responseFormat: "text",
    headers: {},
    metadata: {},
    piiTypes: [],
    local: { queueDepth: 0, healthy: true },
    budgetExceeded: false,
    ...patch,
  };
}

/** A pino logger whose lines the test can read. */
export function memoryLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines: () => out.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export const MODELS_YAML = `
providers:
  local: { type: llama_cpp }
  openai: { type: openai_compatible, base_url: "http://127.0.0.1:9/v1" }
models:
  local-slm:
    provider: local
    path: ./none.gguf
    context_window: 4096
    capabilities: { tools: false, json_schema: true, vision: false }
  gpt-4o-mini:
    provider: openai
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
  gpt-4o:
    provider: openai
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
defaults: { local: local-slm, cloud: gpt-4o-mini }
`;

export const INTENTS_YAML = `
version: 1
intents:
  greeting: { route: local, description: hi, examples: [hi] }
  code: { route: cloud, description: code, examples: [write code] }
`;

export const ROUTING_YAML = `
version: 1
rules:
  - name: code-to-cloud
    when: { intent: code }
    then: { route: cloud, fallbacks: [local] }
default:
  route: intent_default
  fallbacks: [local, cloud]
`;

/** Writes a policy directory (files given by name) in a fresh temp dir. */
export async function policyDir(files: Record<string, string> = {}): Promise<{ dir: string; write(name: string, text: string): Promise<void>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-policy-"));
  const all = { "models.yaml": MODELS_YAML, "intents.yaml": INTENTS_YAML, "routing.yaml": ROUTING_YAML, ...files };
  for (const [name, text] of Object.entries(all)) if (text !== "") await writeFile(join(dir, name), text);
  return {
    dir,
    write: (name, text) => writeFile(join(dir, name), text),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
