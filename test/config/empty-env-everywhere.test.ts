/**
 * A variable set to "" (an env file's `KEY=`, compose's `${KEY:-}`) means "not set" for every
 * variable read at start-up, not only the main settings: `SWITCHYARD_CONTEXT_TTL_SECONDS=` stopped
 * start-up with "expected number to be >0", and an empty `SWITCHYARD_POLICY_DIR=` made the CLI read
 * the working directory instead of `policies/`.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { CONTEXT_DEFAULTS, loadContextConfig } from "../../src/context/config.js";

const CONTEXT_VARS = [
  "REDIS_URL",
  "REDIS_USERNAME",
  "REDIS_PASSWORD",
  "REDIS_SENTINEL_PASSWORD",
  "SWITCHYARD_CONTEXT_KEY",
  "SWITCHYARD_CONTEXT_OLD_KEYS",
  "SWITCHYARD_CONTEXT_TTL_SECONDS",
  "SWITCHYARD_CONTEXT_MAX_TURNS",
  "SWITCHYARD_CONTEXT_MAX_BYTES",
  "SWITCHYARD_CONTEXT_TIMEOUT_MS",
  "SWITCHYARD_CONTEXT_MAX_SESSIONS",
  "SWITCHYARD_CONTEXT_MEMORY_MAX_BYTES",
];
const allEmpty = Object.fromEntries(CONTEXT_VARS.map((name) => [name, ""]));

describe("context-store variables set to an empty string", () => {
  it("take their defaults: in-memory store, default limits, no encryption", async () => {
    const config = await loadContextConfig(allEmpty, "policies");
    expect(config.limits).toEqual({
      ttlMs: CONTEXT_DEFAULTS.ttlSeconds * 1000,
      maxTurns: CONTEXT_DEFAULTS.maxTurns,
      maxBytes: CONTEXT_DEFAULTS.maxBytes,
    });
    expect(config.timeoutMs).toBe(CONTEXT_DEFAULTS.timeoutMs);
    expect(config.memoryMaxSessions).toBe(CONTEXT_DEFAULTS.maxSessions);
    expect(config.memoryMaxBytes).toBe(CONTEXT_DEFAULTS.memoryMaxBytes);
    expect(config.redis).toBeUndefined();
    expect(config.encryption).toBeUndefined();
  });

  it("still refuse a value that is set and wrong", async () => {
    await expect(loadContextConfig({ SWITCHYARD_CONTEXT_TTL_SECONDS: "0" }, "policies")).rejects.toThrow(/SWITCHYARD_CONTEXT_TTL_SECONDS/);
  });
});

describe("the environment the gateway passes on to its modules", () => {
  it("holds no empty variables, so providers, PII hashing and the context store see them as unset", async () => {
    const config = await loadGatewayConfig({ OPENAI_API_KEY: "", SWITCHYARD_CONTEXT_TTL_SECONDS: "", SWITCHYARD_PII_HASH_KEY: "" }, process.cwd());
    expect(Object.entries(config.secrets).filter(([, value]) => value === "")).toEqual([]);
  });
});

describe("CLI commands given SWITCHYARD_POLICY_DIR=", () => {
  it("read the default policies folder, not the working directory", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", "policy", "check", "--classifier", "none"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SWITCHYARD_POLICY_DIR: "" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^ok: .*\/policies: routing policy/);
    expect(result.status).toBe(0);
  });
});
