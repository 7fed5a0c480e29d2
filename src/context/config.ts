/**
 * The context store's configuration: environment variables (`REDIS_URL`, limits, encryption keys)
 * over an optional `context.yaml` in the policy folder, which is where Sentinel and Cluster
 * topologies and TLS trust (a private CA, a client certificate) are described. Validated once at start-up; a bad setting stops the gateway with one line
 * per problem.
 */
import { join } from "node:path";
import { z } from "zod";
import { setVariables } from "../config/env.js";
import { durationMs, wholeNumber, yamlDurationMs } from "../config/env-number.js";
import { ConfigError, loadOptionalYamlFile, type ConfigProblem } from "../config/yaml-file.js";
import { CONTEXT_FILE } from "../policy/schema.js";
import type { SessionLimits } from "./backend.js";
import { decodeKey } from "./cipher.js";
import { RedisTlsSchema, readRedisTls, type RedisTls } from "./redis-tls.js";

const Unit = { second: 1000, kb: 1024, mb: 1024 * 1024 } as const;

export const CONTEXT_DEFAULTS = {
  ttlSeconds: 24 * 3600,
  maxTurns: 200,
  maxBytes: 256 * Unit.kb,
  timeoutMs: 100,
  maxSessions: 10_000,
  /** 10,000 sessions at `maxBytes` each would be 2.5 GiB of one process's heap. */
  memoryMaxBytes: 256 * Unit.mb,
  keyPrefix: "switchyard:ctx:",
  usageKeyPrefix: "switchyard:",
  reconnectMaxDelayMs: 2000,
  healthCheckMs: 2000,
} as const;

const positiveInt = z.int().positive();
/**
 * Trimming keeps whole exchanges, and the smallest is a question and its answer: under 2 no exchange
 * would ever fit, and the store would keep nothing while every save reported itself degraded.
 */
const MIN_TURNS_MESSAGE = "must be at least 2: an exchange (a question and its answer) is 2 messages, and trimming keeps whole exchanges";
const HostPort = z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65535) });

const noHashTag = z.string().regex(/^[^{}]*$/, "must not contain '{' or '}' (they delimit the Redis Cluster hash tag)");

export const ContextFileSchema = z.strictObject({
  ttl_seconds: positiveInt.optional(),
  max_turns: z.int().min(2, MIN_TURNS_MESSAGE).optional(),
  max_bytes: positiveInt.optional(),
  /** Upper bound on any one Redis command; a slower Redis makes the request go on without context. */
  timeout_ms: yamlDurationMs(1).optional(),
  /** Sessions kept by the in-memory store before the least recently used is evicted. */
  memory_max_sessions: positiveInt.optional(),
  /** Bytes the in-memory store's sessions may hold between them before the least recently used is evicted. */
  memory_max_bytes: positiveInt.optional(),
  key_prefix: noHashTag.optional(),
  /**
   * The usage records, aggregates and budget counters' prefix (inside their hash tag): deployments
   * sharing one Redis keep apart only by it, as their sessions do by `key_prefix`.
   */
  usage_key_prefix: noHashTag.optional(),
  redis: z
    .strictObject({
      /**
       * TLS to the sentinels and their master, or to the Cluster nodes (a URL turns it on with
       * `rediss://`); an object says which CA to trust and may add a client certificate.
       */
      tls: RedisTlsSchema.optional(),
      reconnect_max_delay_ms: yamlDurationMs(1).optional(),
      /** How often an idle connection is PINGed, so a stalled Redis and its recovery show in /readyz and /metrics. */
      health_check_ms: yamlDurationMs(1).optional(),
      sentinel: z.strictObject({ master: z.string().min(1), nodes: z.array(HostPort).min(1), db: z.int().min(0).optional() }).optional(),
      cluster: z.strictObject({ nodes: z.array(HostPort).min(1) }).optional(),
    })
    .refine((r) => !(r.sentinel && r.cluster), "set either 'sentinel' or 'cluster', not both")
    .optional(),
});
export type ContextFile = z.infer<typeof ContextFileSchema>;

const envInt = wholeNumber(1).optional();
const redisUrl = z
  .string()
  .regex(/^rediss?:\/\//, "must start with redis:// or rediss:// (TLS)")
  .optional();

/** Parsed from the set variables only (`setVariables`): an empty one is unset, as for the main settings. */
export const ContextEnvSchema = z.object({
  REDIS_URL: redisUrl,
  /** Credentials for Sentinel and Cluster topologies (a plain URL carries its own). */
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** Base64 of 32 random bytes: turns on AES-256-GCM encryption of stored content. */
  SWITCHYARD_CONTEXT_KEY: z.string().optional(),
  /** Comma-separated base64 keys still accepted for decryption during a rotation. */
  SWITCHYARD_CONTEXT_OLD_KEYS: z.string().optional(),
  SWITCHYARD_CONTEXT_TTL_SECONDS: envInt,
  SWITCHYARD_CONTEXT_MAX_TURNS: z.coerce.number().int().min(2, MIN_TURNS_MESSAGE).optional(),
  SWITCHYARD_CONTEXT_MAX_BYTES: envInt,
  SWITCHYARD_CONTEXT_TIMEOUT_MS: durationMs(1).optional(),
  SWITCHYARD_CONTEXT_MAX_SESSIONS: envInt,
  SWITCHYARD_CONTEXT_MEMORY_MAX_BYTES: envInt,
});

export interface HostAndPort {
  host: string;
  port: number;
}

/** `tls` present: every connection of the target is TLS, its server certificate verified. */
export type RedisTarget =
  | { kind: "url"; url: string; tls?: RedisTls; username?: string; password?: string }
  | { kind: "sentinel"; master: string; nodes: HostAndPort[]; db?: number; tls?: RedisTls; username?: string; password?: string; sentinelPassword?: string }
  | { kind: "cluster"; nodes: HostAndPort[]; tls?: RedisTls; username?: string; password?: string };

export interface ContextConfig {
  limits: SessionLimits;
  timeoutMs: number;
  keyPrefix: string;
  /** What the usage store's keys start with, inside their hash tag (`{<prefix>usage}`). */
  usageKeyPrefix: string;
  memoryMaxSessions: number;
  memoryMaxBytes: number;
  /** Absent: the in-memory store. */
  redis?: { target: RedisTarget; reconnectMaxDelayMs: number; healthCheckMs: number };
  encryption?: { current: Buffer; previous: Buffer[] };
}

/**
 * Builds the configuration from the environment and an already-parsed `context.yaml` (or none).
 * `tls` is what `readRedisTls` read for the file's `redis.tls` (`loadContextConfig` does both).
 *
 * @example
 * resolveContextConfig({ REDIS_URL: "redis://127.0.0.1:6379" }) // Redis, default limits
 */
export function resolveContextConfig(rawEnv: NodeJS.ProcessEnv, file: ContextFile = {}, tls?: RedisTls): ContextConfig {
  const parsed = ContextEnvSchema.safeParse(setVariables(rawEnv));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => envProblem(String(i.path[0] ?? ""), i.message)));
  const env = parsed.data;
  const config: ContextConfig = {
    limits: {
      ttlMs: (env.SWITCHYARD_CONTEXT_TTL_SECONDS ?? file.ttl_seconds ?? CONTEXT_DEFAULTS.ttlSeconds) * Unit.second,
      maxTurns: env.SWITCHYARD_CONTEXT_MAX_TURNS ?? file.max_turns ?? CONTEXT_DEFAULTS.maxTurns,
      maxBytes: env.SWITCHYARD_CONTEXT_MAX_BYTES ?? file.max_bytes ?? CONTEXT_DEFAULTS.maxBytes,
    },
    timeoutMs: env.SWITCHYARD_CONTEXT_TIMEOUT_MS ?? file.timeout_ms ?? CONTEXT_DEFAULTS.timeoutMs,
    keyPrefix: file.key_prefix ?? CONTEXT_DEFAULTS.keyPrefix,
    usageKeyPrefix: file.usage_key_prefix ?? CONTEXT_DEFAULTS.usageKeyPrefix,
    memoryMaxSessions: env.SWITCHYARD_CONTEXT_MAX_SESSIONS ?? file.memory_max_sessions ?? CONTEXT_DEFAULTS.maxSessions,
    memoryMaxBytes: env.SWITCHYARD_CONTEXT_MEMORY_MAX_BYTES ?? file.memory_max_bytes ?? CONTEXT_DEFAULTS.memoryMaxBytes,
  };
  const target = redisTarget(env, file, fileTls(file, tls));
  if (target) {
    config.redis = {
      target,
      reconnectMaxDelayMs: file.redis?.reconnect_max_delay_ms ?? CONTEXT_DEFAULTS.reconnectMaxDelayMs,
      healthCheckMs: file.redis?.health_check_ms ?? CONTEXT_DEFAULTS.healthCheckMs,
    };
  }
  const encryption = encryptionKeys(env);
  if (encryption) config.encryption = encryption;
  return config;
}

/** Reads `<policyDir>/context.yaml` when it exists, then applies the environment over it. */
export async function loadContextConfig(rawEnv: NodeJS.ProcessEnv, policyDir: string): Promise<ContextConfig> {
  const path = join(policyDir, CONTEXT_FILE);
  const source = await loadOptionalYamlFile(path, ContextFileSchema);
  if (!source) return resolveContextConfig(rawEnv);
  return resolveContextConfig(rawEnv, source.value, await readRedisTls(source.value.redis?.tls, policyDir, source.problem));
}

type ContextEnv = z.infer<typeof ContextEnvSchema>;

/** The TLS the file asks for; files it names must have been read (a CA silently ignored would be a trap). */
function fileTls(file: ContextFile, read: RedisTls | undefined): RedisTls | undefined {
  const setting = file.redis?.tls;
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return read ?? {};
  if (!read) throw new Error("context.yaml's redis.tls names files: read them with readRedisTls, as loadContextConfig does");
  return read;
}

function redisTarget(env: ContextEnv, file: ContextFile, tls: RedisTls | undefined): RedisTarget | undefined {
  const redis = file.redis;
  const credentials = { ...(env.REDIS_USERNAME ? { username: env.REDIS_USERNAME } : {}), ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}) };
  if (redis?.sentinel) {
    const { master, nodes, db } = redis.sentinel;
    return {
      kind: "sentinel",
      master,
      nodes,
      ...(db !== undefined ? { db } : {}),
      ...(tls ? { tls } : {}),
      ...credentials,
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    };
  }
  if (redis?.cluster) return { kind: "cluster", nodes: redis.cluster.nodes, ...(tls ? { tls } : {}), ...credentials };
  if (!env.REDIS_URL) return undefined;
  // Credentials kept out of the URL (compose's REDIS_URL, a secret store's variable) apply to it too;
  // the URL's own win (`createRedisClient`).
  if (env.REDIS_URL.startsWith("rediss://")) return { kind: "url", url: env.REDIS_URL, tls: tls ?? {}, ...credentials };
  // Connecting in plain text to a server the operator configured TLS trust for is never what was meant.
  if (tls) throw new ConfigError([envProblem("REDIS_URL", "is redis:// (plain text) but context.yaml sets redis.tls: use rediss://")]);
  return { kind: "url", url: env.REDIS_URL, ...credentials };
}

function encryptionKeys(env: ContextEnv): ContextConfig["encryption"] {
  const problems: ConfigProblem[] = [];
  const decode = (name: string, value: string): Buffer | undefined => {
    try {
      return decodeKey(value);
    } catch (error) {
      problems.push(envProblem(name, (error as Error).message));
      return undefined;
    }
  };
  const oldKeys = (env.SWITCHYARD_CONTEXT_OLD_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  if (!env.SWITCHYARD_CONTEXT_KEY) {
    if (oldKeys.length > 0) throw new ConfigError([envProblem("SWITCHYARD_CONTEXT_OLD_KEYS", "needs SWITCHYARD_CONTEXT_KEY (the key new writes use)")]);
    return undefined;
  }
  const current = decode("SWITCHYARD_CONTEXT_KEY", env.SWITCHYARD_CONTEXT_KEY);
  const previous = oldKeys.map((k) => decode("SWITCHYARD_CONTEXT_OLD_KEYS", k)).filter((k): k is Buffer => k !== undefined);
  if (problems.length > 0 || !current) throw new ConfigError(problems);
  return { current, previous };
}

const envProblem = (path: string, message: string): ConfigProblem => ({ file: "environment", line: 0, col: 0, path, message });
