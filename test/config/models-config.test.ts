/**
 * A bad configuration stops start-up with one line per problem, each naming where it is.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/yaml-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-config-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function load(yaml: string, env: Record<string, string> = {}) {
  await writeFile(join(dir, "models.yaml"), yaml);
  return loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir, ...env }, "/srv");
}

async function problems(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  const error = await load(yaml, env).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split("\n");
}

const good = `providers:
  local: { type: llama_cpp }
  cloud: { type: openai_compatible, base_url: "https://api.example.com/v1", api_key_env: EXAMPLE_KEY }
models:
  slm: { provider: local, path: models/slm.gguf }
  big: { provider: cloud }
defaults: { local: slm, cloud: big }
`;

describe("models.yaml", () => {
  it("loads a valid file, resolving paths against the file's folder and applying defaults", async () => {
    const config = await load(good);
    expect(config.registry.defaultLocal?.path).toBe(join(dir, "models/slm.gguf"));
    expect(config.registry.defaultLocal?.location).toBe("local");
    expect(config.registry.defaultCloud?.location).toBe("cloud");
    expect(config.registry.get("big")?.contextWindow).toBe(4096);
    expect(config.env.PORT).toBe(8080);
    expect(config.env.HOST).toBe("127.0.0.1");
  });

  it("lets SWITCHYARD_LOCAL_MODEL and OPENAI_BASE_URL override the defaults' path and base URL", async () => {
    const config = await load(good, { SWITCHYARD_LOCAL_MODEL: "weights/x.gguf", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(config.registry.defaultLocal?.path).toBe("/srv/weights/x.gguf");
    expect(config.providers.cloud).toMatchObject({ base_url: "http://127.0.0.1:9/v1" });
  });

  it("reports an unknown key with its file, line and column", async () => {
    const lines = await problems(good.replace("slm: { provider: local, path: models/slm.gguf }", "slm: { provider: local, path: models/slm.gguf, contxt_window: 8 }"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${dir}/models\\.yaml:5:\\d+: models\\.slm: .*contxt_window`));
  });

  it("reports every referential problem at once", async () => {
    const yaml = `providers:
  local: { type: llama_cpp }
models:
  slm: { provider: local }
  big: { provider: nowhere }
defaults: { local: slm, cloud: huge }
`;
    const lines = await problems(yaml);
    expect(lines).toHaveLength(3);
    expect(lines.join("\n")).toContain("models.slm: a llama_cpp model needs 'path'");
    expect(lines.join("\n")).toMatch(/:5:\d+: models\.big\.provider: unknown provider 'nowhere'/);
    expect(lines.join("\n")).toMatch(/:6:\d+: defaults\.cloud: unknown model 'huge'/);
  });

  it("refuses tools or vision claimed for an in-process model, whose runtime would drop them from requests", async () => {
    const lines = await problems(good.replace("slm: { provider: local, path: models/slm.gguf }", "slm: { provider: local, path: models/slm.gguf, capabilities: { tools: true, vision: true } }"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/models\.yaml:5:\d+: models\.slm\.capabilities\.tools: a llama_cpp model cannot call tools in-process/);
    expect(lines[1]).toMatch(/models\.yaml:5:\d+: models\.slm\.capabilities\.vision: a llama_cpp model cannot read images in-process/);
  });

  it("reports wrong types and YAML syntax errors with positions", async () => {
    const typed = await problems(good.replace("{ type: llama_cpp }", "{ type: llama_cpp, parallel: many }"));
    expect(typed[0]).toMatch(/models\.yaml:2:\d+: providers\.local\.parallel: /);
    const syntax = await problems("providers: [\n  oops");
    expect(syntax[0]).toMatch(/models\.yaml:\d+:\d+: /);
  });

  it("names a missing file", async () => {
    const error = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: join(dir, "missing") }, "/").catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("models.yaml: file not found");
  });

  it("names each bad environment variable", async () => {
    const lines = await problems(good, { PORT: "eighty", OPENAI_BASE_URL: "not a url", LOG_LEVEL: "loud" });
    expect(lines.some((l) => l.startsWith("environment: PORT:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("environment: OPENAI_BASE_URL:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("environment: LOG_LEVEL:"))).toBe(true);
  });

  it("takes an optional cached_input_per_1m beside the per-token prices", async () => {
    const config = await load(good.replace("big: { provider: cloud }", "big: { provider: cloud, price: { input_per_1m: 2.5, cached_input_per_1m: 1.25, output_per_1m: 10 } }"));
    expect(config.registry.get("big")?.price).toEqual({ input_per_1m: 2.5, cached_input_per_1m: 1.25, output_per_1m: 10 });
  });

  it("refuses a negative cached_input_per_1m, naming the field", async () => {
    const lines = await problems(good.replace("big: { provider: cloud }", "big: { provider: cloud, price: { input_per_1m: 2.5, cached_input_per_1m: -1, output_per_1m: 10 } }"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/models\.yaml:6:\d+: models\.big\.price\.cached_input_per_1m: /);
  });

  it("refuses a cached_input_per_1m above input_per_1m, naming both prices", async () => {
    const lines = await problems(good.replace("big: { provider: cloud }", "big: { provider: cloud, price: { input_per_1m: 0.15, cached_input_per_1m: 0.75, output_per_1m: 0.6 } }"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/models\.yaml:6:\d+: models\.big\.price\.cached_input_per_1m: .*0\.75.*input_per_1m.*0\.15/);
  });

  it("refuses cached_input_per_1m on an hourly price, where no token is priced", async () => {
    const lines = await problems(good.replace("slm: { provider: local, path: models/slm.gguf }", "slm: { provider: local, path: models/slm.gguf, price: { usd_per_hour: 0.1, cached_input_per_1m: 0.01 } }"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/models\.yaml:5:\d+: models\.slm\.price.*cached_input_per_1m/);
  });

  it("samples the in-process model from the 40 likeliest tokens unless the provider's top_k says otherwise (0: all)", async () => {
    expect((await load(good)).providers.local).toMatchObject({ top_k: 40 });
    expect((await load(good.replace("{ type: llama_cpp }", "{ type: llama_cpp, top_k: 0 }"))).providers.local).toMatchObject({ top_k: 0 });
  });

  it.each(["-1", "1.5", "forty"])("refuses top_k %s, naming the field", async (value) => {
    const lines = await problems(good.replace("{ type: llama_cpp }", `{ type: llama_cpp, top_k: ${value} }`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/models\.yaml:2:\d+: providers\.local\.top_k: /);
  });

  it("the shipped policies/models.yaml is valid", async () => {
    const config = await loadGatewayConfig({}, process.cwd());
    expect(config.registry.defaultLocal?.id).toBe("local-slm");
    expect(config.registry.defaultCloud?.id).toBe("gpt-4o-mini");
    expect(config.registry.baseline?.id).toBe("gpt-4o");
  });
});
