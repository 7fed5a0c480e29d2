import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTEXT_DEFAULTS, loadContextConfig, resolveContextConfig } from "../../src/context/config.js";
import { ConfigError } from "../../src/config/yaml-file.js";
import { parseSessionId, sessionScope } from "../../src/context/session-id.js";
import { randomKey } from "./support.js";

describe("context store configuration", () => {
  it("uses the in-memory store with default limits when REDIS_URL is not set", () => {
    const config = resolveContextConfig({});
    expect(config.redis).toBeUndefined();
    expect(config.encryption).toBeUndefined();
    expect(config.limits).toEqual({ ttlMs: CONTEXT_DEFAULTS.ttlSeconds * 1000, maxTurns: CONTEXT_DEFAULTS.maxTurns, maxBytes: CONTEXT_DEFAULTS.maxBytes });
    expect(config.timeoutMs).toBe(100);
  });

  it("uses Redis for redis:// and rediss:// URLs (TLS verified against the system's CAs) and rejects other schemes", () => {
    expect(resolveContextConfig({ REDIS_URL: "redis://cache.internal:6379" }).redis?.target).toEqual({ kind: "url", url: "redis://cache.internal:6379" });
    expect(resolveContextConfig({ REDIS_URL: "rediss://cache.internal:6380" }).redis?.target).toEqual({ kind: "url", url: "rediss://cache.internal:6380", tls: {} });
    expect(() => resolveContextConfig({ REDIS_URL: "http://cache" })).toThrow(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
  });

  it("gives a URL the credentials kept out of it (REDIS_USERNAME, REDIS_PASSWORD)", () => {
    expect(resolveContextConfig({ REDIS_URL: "redis://cache.internal:6379", REDIS_USERNAME: "gw", REDIS_PASSWORD: "pw" }).redis?.target).toEqual({
      kind: "url",
      url: "redis://cache.internal:6379",
      username: "gw",
      password: "pw",
    });
  });

  it("refuses TLS settings that would be ignored: redis.tls with a plain redis:// URL, a client certificate without its key", async () => {
    expect(() => resolveContextConfig({ REDIS_URL: "redis://cache:6379" }, { redis: { tls: true } })).toThrow(/REDIS_URL: is redis:\/\/ \(plain text\) but context.yaml sets redis.tls: use rediss:\/\//);
    const dir = await mkdtemp(join(tmpdir(), "switchyard-context-"));
    try {
      await writeFile(join(dir, "context.yaml"), "redis:\n  tls:\n    cert_file: client.crt\n");
      await expect(loadContextConfig({ REDIS_URL: "rediss://cache:6380" }, dir)).rejects.toThrow(/context.yaml:3:5: redis.tls: set both 'cert_file' and 'key_file'/);
      await writeFile(join(dir, "context.yaml"), "redis:\n  tls: yes please\n");
      await expect(loadContextConfig({ REDIS_URL: "rediss://cache:6380" }, dir)).rejects.toThrow(/context.yaml:2:8: redis.tls: must be true, false, or an object/);
      await writeFile(join(dir, "context.yaml"), "redis:\n  tls:\n    ca: ca.crt\n");
      await expect(loadContextConfig({ REDIS_URL: "rediss://cache:6380" }, dir)).rejects.toThrow(/context.yaml:3:5: redis.tls: Unrecognized key: "ca"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses max_turns under 2, in the environment and in context.yaml: no exchange (a question and its answer) would ever be stored", async () => {
    expect(() => resolveContextConfig({ SWITCHYARD_CONTEXT_MAX_TURNS: "1" })).toThrow(/SWITCHYARD_CONTEXT_MAX_TURNS: must be at least 2: an exchange \(a question and its answer\) is 2 messages/);
    expect(resolveContextConfig({ SWITCHYARD_CONTEXT_MAX_TURNS: "2" }).limits.maxTurns).toBe(2);
    const dir = await mkdtemp(join(tmpdir(), "switchyard-context-"));
    try {
      await writeFile(join(dir, "context.yaml"), "max_turns: 1\n");
      await expect(loadContextConfig({}, dir)).rejects.toThrow(/context.yaml:1:\d+: max_turns: must be at least 2/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads Sentinel and Cluster topologies from context.yaml, with the environment over the file's limits", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-context-"));
    try {
      await writeFile(
        join(dir, "context.yaml"),
        "ttl_seconds: 60\nmax_turns: 10\nredis:\n  tls: true\n  sentinel:\n    master: mymaster\n    nodes:\n      - { host: s1, port: 26379 }\n",
      );
      const config = await loadContextConfig({ REDIS_PASSWORD: "pw", SWITCHYARD_CONTEXT_MAX_TURNS: "20" }, dir);
      expect(config.redis?.target).toEqual({ kind: "sentinel", master: "mymaster", nodes: [{ host: "s1", port: 26379 }], tls: {}, password: "pw" });
      expect(config.limits).toMatchObject({ ttlMs: 60_000, maxTurns: 20 });

      await writeFile(join(dir, "context.yaml"), "redis:\n  cluster:\n    nodes: [{ host: n1, port: 7000 }]\n  sentinel:\n    master: m\n    nodes: [{ host: s, port: 1 }]\n");
      await expect(loadContextConfig({}, dir)).rejects.toThrow(/context.yaml:2:\d+: redis: set either 'sentinel' or 'cluster', not both/);

      await writeFile(join(dir, "context.yaml"), "max_turn: 5\n");
      await expect(loadContextConfig({}, dir)).rejects.toThrow(ConfigError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("turns on encryption with a 32-byte base64 key and accepts old keys for rotation", () => {
    const current = randomKey();
    const old = randomKey();
    const config = resolveContextConfig({ SWITCHYARD_CONTEXT_KEY: current.toString("base64"), SWITCHYARD_CONTEXT_OLD_KEYS: ` ${old.toString("base64")} ,` });
    expect(config.encryption).toEqual({ current, previous: [old] });
    expect(() => resolveContextConfig({ SWITCHYARD_CONTEXT_KEY: "c2hvcnQ=" })).toThrow(/SWITCHYARD_CONTEXT_KEY: an AES-256 key must be 32 bytes/);
    expect(() => resolveContextConfig({ SWITCHYARD_CONTEXT_OLD_KEYS: old.toString("base64") })).toThrow(/needs SWITCHYARD_CONTEXT_KEY/);
  });
});

describe("session ids", () => {
  it("accepts UUIDs and similar tokens and rejects anything that could escape its key", () => {
    expect(parseSessionId("3f2b8c1e-9d4a-4b5e-8f7a-1c2d3e4f5a6b")).toBe("3f2b8c1e-9d4a-4b5e-8f7a-1c2d3e4f5a6b");
    expect(parseSessionId("user:42.chat_7")).toBe("user:42.chat_7");
    for (const bad of ["", "{tag}", "a b", "../etc", "-x", "x".repeat(129), "é"]) expect(() => parseSessionId(bad)).toThrow(/Invalid session id/);
  });

  it("binds a session to the caller's tenant, and gives none without the header", () => {
    expect(sessionScope({ id: "acme" }, "s1")).toEqual({ tenantId: "acme", sessionId: "s1" });
    expect(sessionScope({ id: "acme" }, undefined)).toBeUndefined();
  });
});
