/**
 * Environment variables the gateway reads, validated once at start-up.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { apiKeysProblems, parseApiKeys, PRINTABLE_ASCII } from "../auth/api-keys.js";
import { durationMs, numberBetween, wholeNumber } from "./env-number.js";
import { ListenHostSchema } from "./listen-host.js";
import { DEFAULT_POLL_MS } from "./watch-paths.js";

/**
 * The policies that ship with the gateway: the default wherever it is started from. Relative paths an
 * operator gives are theirs (the directory `npm run` was typed in), but the defaults are the package's.
 */
export const SHIPPED_POLICY_DIR = fileURLToPath(new URL("../../policies", import.meta.url));

const port = wholeNumber(0, 65535);
const positiveInt = wholeNumber(1);
const flag = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");

export const EnvSchema = z.object({
  PORT: port.default(8080),
  HOST: ListenHostSchema.default("127.0.0.1"),
  SWITCHYARD_POLICY_DIR: z.string().min(1).default(SHIPPED_POLICY_DIR),
  SWITCHYARD_LOCAL_MODEL: z.string().min(1).optional(),
  /** Intent classifier model folder; default: the bundled one trained from policies/intents.yaml. */
  SWITCHYARD_CLASSIFIER_DIR: z.string().min(1).optional(),
  /**
   * Earlier user turns the intent classifier reads after the current message (0: the last user
   * message alone). For follow-ups such as "and in German?" that only make sense with the turn before.
   */
  SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: z.coerce
    .number({ error: "must be a whole number ≥ 0 (earlier user turns the classifier reads)" })
    .int("must be a whole number ≥ 0 (earlier user turns the classifier reads)")
    .min(0, "must be a whole number ≥ 0 (earlier user turns the classifier reads)")
    .default(0),
  /** A candidate policy folder evaluated beside the active one (shadow mode): decisions compared, never executed. */
  SWITCHYARD_SHADOW_POLICY_DIR: z.string().min(1).optional(),
  /** Comma-separated client keys; `tenant=key` names the tenant, a bare key gets a tenant derived from it. */
  SWITCHYARD_API_KEYS: z
    .string()
    .superRefine((spec, ctx) => {
      for (const message of apiKeysProblems(spec)) ctx.addIssue({ code: "custom", message });
    })
    .optional(),
  SWITCHYARD_ADMIN_KEY: z
    .string()
    .min(16, "must be at least 16 characters")
    .regex(PRINTABLE_ASCII, "must be printable ASCII (a client's header cannot carry other characters)")
    .refine((key) => key.trim() === key, "must not start or end with whitespace (a client's header loses it, so the key could never match)")
    .optional(),
  SWITCHYARD_BODY_LIMIT_BYTES: positiveInt.default(4 * 1024 * 1024),
  SWITCHYARD_SHUTDOWN_TIMEOUT_MS: durationMs(1).default(30_000),
  /**
   * How often the policy folder and budgets.yaml are checked for changes even without a file event
   * (the folder replaced by a symlink swap or `mv`, a file linked from elsewhere, a mount without
   * events); 0 turns the check off. File events still reload within the debounce.
   */
  SWITCHYARD_POLICY_POLL_MS: durationMs(0).default(DEFAULT_POLL_MS),
  /** Longest a streamed frame waits to share a socket write with the next ones; 0 writes every event-loop turn. */
  SWITCHYARD_STREAM_FLUSH_MS: numberBetween(0, 100).default(2),
  /** Opt-in: log prompt and answer bodies at debug level. Off by default because prompts carry user data. */
  SWITCHYARD_DEBUG_BODIES: flag.default(false),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  REDIS_URL: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
}).superRefine((env, ctx) => {
  // The usage API checks the admin key first: a client key equal to it would read every tenant's usage.
  const { SWITCHYARD_ADMIN_KEY: adminKey, SWITCHYARD_API_KEYS: apiKeys } = env;
  if (adminKey === undefined || apiKeys === undefined || apiKeysProblems(apiKeys).length > 0) return;
  if (parseApiKeys(apiKeys).lookup(adminKey)) {
    ctx.addIssue({
      code: "custom",
      path: ["SWITCHYARD_ADMIN_KEY"],
      message: "is also a client key in SWITCHYARD_API_KEYS, which would let that client read every tenant's usage and reload policies; give the admin a key of its own",
    });
  }
});
export type Env = z.infer<typeof EnvSchema>;

/**
 * The variables that are set: one set to "" (an env file's `KEY=`, compose's `${KEY:-}`) means "not
 * set", as if absent. Every reader of the environment starts from this, so an empty value never
 * reaches a schema (PORT= would listen on a random port, SWITCHYARD_CONTEXT_TTL_SECONDS= would stop
 * start-up) or a module (an empty API key is not a key).
 *
 * @example
 * setVariables({ PORT: "", HOST: "0.0.0.0" }) // { HOST: "0.0.0.0" }
 */
export function setVariables(raw: NodeJS.ProcessEnv): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined && value !== "") set[name] = value;
  return set;
}
