/**
 * An `openai_compatible` provider names its server (`base_url`) or its pool of servers (`base_urls`):
 * exactly one of the two, and a pool is 2 or more distinct http(s) URLs with the same path. A mistake
 * stops start-up with its file, line and column.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/yaml-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-pool-config-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** A models.yaml whose `llama` provider has `servers` as its server lines. */
const modelsYaml = (servers: string) => `providers:
  llama:
    type: openai_compatible
    location: local
${servers}
models:
  slm: { provider: llama }
defaults: { local: slm }
`;

async function load(yaml: string, env: Record<string, string> = {}) {
  await writeFile(join(dir, "models.yaml"), yaml);
  return loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir, ...env }, "/srv");
}

async function problems(servers: string): Promise<string[]> {
  const error = await load(modelsYaml(servers)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split("\n");
}

describe("models.yaml: base_url or base_urls", () => {
  it("takes a pool of servers, or one base_url as before", async () => {
    const pool = await load(modelsYaml("    base_urls: [http://llama-a:8081/v1, http://llama-b:8081/v1, http://llama-c:8081/v1]"));
    expect(pool.providers.llama).toMatchObject({ base_urls: ["http://llama-a:8081/v1", "http://llama-b:8081/v1", "http://llama-c:8081/v1"] });
    expect(pool.providers.llama).not.toHaveProperty("base_url");
    const single = await load(modelsYaml("    base_url: http://llama-a:8081/v1"));
    expect(single.providers.llama).toMatchObject({ base_url: "http://llama-a:8081/v1" });
    expect(single.providers.llama).not.toHaveProperty("base_urls");
  });

  it("takes a pool's cool-downs, and refuses them without a pool or with the longest below the first", async () => {
    const pool = await load(modelsYaml("    base_urls: [http://llama-a:8081/v1, http://llama-b:8081/v1]\n    cooldown_ms: 5000\n    max_cooldown_ms: 120000"));
    expect(pool.providers.llama).toMatchObject({ cooldown_ms: 5000, max_cooldown_ms: 120000 });
    expect(await problems("    base_url: http://llama-a:8081/v1\n    cooldown_ms: 5000")).toEqual([
      `${dir}/models.yaml:6:18: providers.llama.cooldown_ms: applies to a pool of servers (base_urls) only`,
    ]);
    expect(await problems("    base_urls: [http://llama-a:8081/v1, http://llama-b:8081/v1]\n    cooldown_ms: 5000\n    max_cooldown_ms: 1000")).toEqual([
      `${dir}/models.yaml:7:22: providers.llama.max_cooldown_ms: 1000 is below cooldown_ms (5000); the longest cool-down is at least the first`,
    ]);
  });

  it("refuses both, naming base_urls where it is written", async () => {
    const lines = await problems("    base_url: http://llama-a:8081/v1\n    base_urls: [http://llama-a:8081/v1, http://llama-b:8081/v1]");
    expect(lines).toEqual([`${dir}/models.yaml:6:16: providers.llama.base_urls: give base_url (one server) or base_urls (a pool), not both`]);
  });

  it("refuses neither, naming base_url at the provider", async () => {
    const lines = await problems("    timeout_ms: 1000");
    expect(lines).toEqual([`${dir}/models.yaml:3:5: providers.llama.base_url: required: base_url (one server) or base_urls (a pool of 2 or more)`]);
  });

  it("refuses a pool of one", async () => {
    const lines = await problems("    base_urls: [http://llama-a:8081/v1]");
    expect(lines).toEqual([`${dir}/models.yaml:5:16: providers.llama.base_urls: a pool needs 2 or more servers; for one server, use base_url`]);
  });

  it("refuses a server listed twice, however it is spelt", async () => {
    const lines = await problems("    base_urls:\n      - http://llama-a:8081/v1\n      - http://LLAMA-A:8081/v1/");
    expect(lines).toEqual([`${dir}/models.yaml:7:9: providers.llama.base_urls[1]: http://LLAMA-A:8081/v1/ is already base_urls[0]; each server is listed once`]);
  });

  it("refuses an entry that is not an http(s) URL, naming it by position", async () => {
    const lines = await problems("    base_urls:\n      - http://llama-a:8081/v1\n      - llama-b:8081\n      - not a url");
    expect(lines).toEqual([
      `${dir}/models.yaml:7:9: providers.llama.base_urls[1]: must be an http:// or https:// URL`,
      `${dir}/models.yaml:8:9: providers.llama.base_urls[2]: must be an http:// or https:// URL`,
    ]);
  });

  it("refuses servers whose paths differ (a request's path under one must be its path under every other)", async () => {
    const lines = await problems("    base_urls:\n      - http://llama-a:8081/v1\n      - http://llama-b:8081");
    expect(lines).toEqual([`${dir}/models.yaml:7:9: providers.llama.base_urls[1]: path / differs from base_urls[0]'s /v1; every server of a pool serves the same path`]);
  });
});

describe("OPENAI_BASE_URL", () => {
  const cloudPool = `providers:
  openai:
    type: openai_compatible
    base_urls: [http://gw-a:9000/v1, http://gw-b:9000/v1]
  llama:
    type: openai_compatible
    location: local
    base_urls: [http://llama-a:8081/v1, http://llama-b:8081/v1]
models:
  big: { provider: openai }
  slm: { provider: llama }
defaults: { local: slm, cloud: big }
`;

  it("replaces the default cloud provider's pool by the one server it names, and leaves other pools alone", async () => {
    const config = await load(cloudPool, { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(config.providers.openai).toMatchObject({ base_url: "http://127.0.0.1:9/v1" });
    expect(config.providers.openai).not.toHaveProperty("base_urls");
    expect(config.providers.llama).toMatchObject({ base_urls: ["http://llama-a:8081/v1", "http://llama-b:8081/v1"] });
  });
});
