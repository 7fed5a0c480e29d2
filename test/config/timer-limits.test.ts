/**
 * Durations become Node timers, which hold at most 2147483647 ms (about 24.8 days): a longer one fires
 * after 1 ms. `SWITCHYARD_SHUTDOWN_TIMEOUT_MS=3000000000` ("wait as long as it takes") made SIGTERM stop
 * every request at once, a stream after its first chunk; a Redis time bound that long timed every
 * command out at once. Such a value now stops start-up, naming the setting.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { loadContextConfig, resolveContextConfig } from "../../src/context/config.js";
import type { ConfigError } from "../../src/config/yaml-file.js";
import { envProblems } from "./env-problems.js";

const TOO_LONG = "3000000000";
const LONGEST = "2147483647";

async function problems(read: () => Promise<unknown>): Promise<string[]> {
  try {
    await read();
    return [];
  } catch (error) {
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

describe("a duration longer than a Node timer can wait", () => {
  it.each(["SWITCHYARD_SHUTDOWN_TIMEOUT_MS", "SWITCHYARD_POLICY_POLL_MS"])("%s stops start-up, naming it", (name) => {
    const [problem] = envProblems({ [name]: TOO_LONG });
    expect(problem).toMatch(new RegExp(`^${name}: .*2147483647`));
    expect(envProblems({ [name]: LONGEST })).toEqual([]);
  });

  it("SWITCHYARD_CONTEXT_TIMEOUT_MS stops start-up, naming it", async () => {
    expect(await problems(async () => resolveContextConfig({ SWITCHYARD_CONTEXT_TIMEOUT_MS: TOO_LONG }))).toEqual([
      expect.stringMatching(/^SWITCHYARD_CONTEXT_TIMEOUT_MS: .*2147483647/),
    ]);
    expect(resolveContextConfig({ SWITCHYARD_CONTEXT_TIMEOUT_MS: LONGEST }).timeoutMs).toBe(2147483647);
  });

  it("context.yaml's timeout_ms, reconnect_max_delay_ms and health_check_ms stop start-up, naming them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-timers-"));
    try {
      await writeFile(
        join(dir, "context.yaml"),
        `timeout_ms: ${TOO_LONG}\nredis:\n  reconnect_max_delay_ms: ${TOO_LONG}\n  health_check_ms: ${TOO_LONG}\n`,
      );
      const found = await problems(() => loadContextConfig({ REDIS_URL: "redis://127.0.0.1:6379" }, dir));
      expect(found).toHaveLength(3);
      for (const key of ["timeout_ms", "reconnect_max_delay_ms", "health_check_ms"]) expect(found.some((p) => p.includes(key) && p.includes("2147483647"))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("models.yaml's timeout_ms and queue_timeout_ms stop start-up, naming them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-timers-"));
    try {
      await writeFile(
        join(dir, "models.yaml"),
        `providers:
  local: { type: llama_cpp, queue_timeout_ms: ${TOO_LONG} }
  cloud: { type: openai_compatible, base_url: "https://api.example.com/v1", api_key_env: EXAMPLE_KEY, timeout_ms: ${TOO_LONG} }
models:
  slm: { provider: local, path: models/slm.gguf }
  big: { provider: cloud }
defaults: { local: slm, cloud: big }
`,
      );
      const found = await problems(() => loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir }, dir));
      expect(found.filter((p) => p.includes("2147483647")).map((p) => /(\w+):/.exec(p.replace(/^.*?(\w+_ms)/, "$1:"))?.[1])).toEqual(["queue_timeout_ms", "timeout_ms"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
