/**
 * Schema of `policies/models.yaml`: where each model runs, what it can do and what it costs.
 * Keys are strict so a typo is an error, not a silently ignored setting.
 */
import { z } from "zod";
import { yamlDurationMs } from "./env-number.js";

const positiveInt = z.int().positive();

export const CapabilitiesSchema = z.strictObject({
  tools: z.boolean().default(false),
  json_schema: z.boolean().default(true),
  vision: z.boolean().default(false),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

/**
 * USD per 1M tokens. `cached_input_per_1m` prices the prompt tokens the upstream reports as served from
 * its prompt cache (`usage.prompt_tokens_details.cached_tokens`); without it they cost `input_per_1m`.
 * A cached price above the input price is refused: providers bill cache hits at a discount or at the
 * full price, never above it, so such a value is a slipped digit (0.75 for 0.075) that would overstate
 * every cache-heavy request's cost. Cache *writes*, which some providers bill above input, are not
 * reported as cached tokens and are priced as input.
 */
const TokenPriceSchema = z
  .strictObject({
    input_per_1m: z.number().nonnegative(),
    cached_input_per_1m: z.number().nonnegative().optional(),
    output_per_1m: z.number().nonnegative(),
  })
  .refine((price) => price.cached_input_per_1m === undefined || price.cached_input_per_1m <= price.input_per_1m, {
    path: ["cached_input_per_1m"],
    error: (issue) => {
      const price = issue.input as { input_per_1m: number; cached_input_per_1m: number };
      return `${price.cached_input_per_1m} is above input_per_1m (${price.input_per_1m}); cached prompt tokens are billed at most at the input price`;
    },
  });

/** What the host costs: USD per hour, turned into a cost per request by its duration. */
const HourlyPriceSchema = z.strictObject({ usd_per_hour: z.number().nonnegative() });

type TokenPrice = z.infer<typeof TokenPriceSchema>;
type HourlyPrice = z.infer<typeof HourlyPriceSchema>;

const PRICE_SHAPES = "a price per token, { input_per_1m, output_per_1m } (USD per 1M tokens; cached_input_per_1m optional), or per hour, { usd_per_hour }";
const TOKEN_KEYS = ["input_per_1m", "cached_input_per_1m", "output_per_1m"];

/**
 * Either shape, told apart by the keys written: as a plain union, a mistake in either (`output_per_1m`
 * left out, `input_per_1m: "2.50"`, `usd_per_hr`) was one "Invalid input" at `price`, naming no field.
 * A mapping with `usd_per_hour` is an hourly price, one with a per-token key a token price, each
 * reported by field; anything else is told both shapes.
 */
export const PriceSchema = z.unknown().transform((value, ctx): TokenPrice | HourlyPrice => {
  const keys = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  const schema = keys.includes("usd_per_hour") ? HourlyPriceSchema : keys.some((key) => TOKEN_KEYS.includes(key)) ? TokenPriceSchema : undefined;
  if (!schema) {
    ctx.addIssue({ code: "custom", message: `expected ${PRICE_SHAPES}` });
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
  return z.NEVER;
});
export type Price = z.infer<typeof PriceSchema>;

export const LlamaCppProviderSchema = z.strictObject({
  type: z.literal("llama_cpp"),
  /** CPU threads per generation step. More threads than free cores makes llama.cpp spin and slows it down. */
  threads: positiveInt.optional(),
  /** Requests generated at the same time (context sequences of the one loaded model). */
  parallel: positiveInt.max(64).default(4),
  /** Requests that may wait for a free sequence; beyond this the gateway answers 503. */
  queue: z.int().nonnegative().default(32),
  /** How long a request may wait in the queue before it is refused. */
  queue_timeout_ms: yamlDurationMs(1).default(30_000),
  /**
   * Sampling draws from the `top_k` likeliest tokens only (before `top_p` and the temperature), as
   * llama.cpp's server and Ollama do by default; 0 = the whole vocabulary, as OpenAI samples, at the
   * cost of sorting all of it for every token (about twice the sampling time on a 32K vocabulary).
   */
  top_k: z.int().nonnegative().default(40),
});

/**
 * A URL as the `openai` SDK and the pool compare them: what `new URL` prints (lower-case host, no
 * default port), without trailing slashes.
 *
 * @example
 * normalizedBaseURL("http://LLAMA-A:80/v1/"); // "http://llama-a/v1"
 */
export function normalizedBaseURL(url: string): string {
  return new URL(url).href.replace(/\/+$/, "");
}

/**
 * A pool's servers: 2 or more distinct http(s) URLs serving the same API path (`http://llama-a:8081/v1`,
 * `http://llama-b:8081/v1`), so a request's path under one is its path under any other.
 */
const BaseURLsSchema = z
  .array(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }))
  .min(2, "a pool needs 2 or more servers; for one server, use base_url")
  .superRefine((urls, ctx) => {
    // An entry that is not a URL has its own issue already; the pool's shape is checked once all are.
    if (!urls.every((url) => URL.canParse(url))) return;
    const seen = new Map<string, number>();
    urls.forEach((url, i) => {
      const normal = normalizedBaseURL(url);
      const first = seen.get(normal);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: [i], message: `${url} is already base_urls[${first}]; each server is listed once` });
      else seen.set(normal, i);
    });
    const path = new URL(urls[0]!).pathname.replace(/\/+$/, "") || "/";
    urls.forEach((url, i) => {
      const own = new URL(url).pathname.replace(/\/+$/, "") || "/";
      if (own !== path) ctx.addIssue({ code: "custom", path: [i], message: `path ${own} differs from base_urls[0]'s ${path}; every server of a pool serves the same path` });
    });
  });

/** A pool's cool-downs when models.yaml sets none: 1 s, doubling up to 30 s. */
export const DEFAULT_POOL_COOLDOWN_MS = { first: 1_000, max: 30_000 } as const;

const EnvVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name");

export const OpenAICompatibleProviderSchema = z
  .strictObject({
    type: z.literal("openai_compatible"),
    /** The server's base URL (…/v1). A provider has this or `base_urls`, never both. */
    base_url: z.url().optional(),
    /**
     * A pool of servers behind the one provider (several llama.cpp servers): each attempt goes to the
     * server with the fewest requests in flight; one that fails (connection error, timeout, 5xx) is
     * left out for a cool-down.
     */
    base_urls: BaseURLsSchema.optional(),
    /** A pool's first cool-down for a failed server; each failure in a row doubles it. */
    cooldown_ms: yamlDurationMs(1).optional(),
    /** The longest a pool's failed server is left out. */
    max_cooldown_ms: yamlDurationMs(1).optional(),
    /** Name of the environment variable that holds the API key (never the key itself). */
    api_key_env: EnvVarName.optional(),
    /** `local` for servers on this host or network (e.g. a llama.cpp server pool): PII rules for local apply. */
    location: z.enum(["local", "cloud"]).default("cloud"),
    timeout_ms: yamlDurationMs(1).default(60_000),
    max_retries: z.int().min(0).max(10).default(2),
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * The header that carries the key, for servers that do not take `Authorization: Bearer <key>`:
     * Azure OpenAI reads `api-key`, some proxies `x-api-key`. The key is sent as is, with no
     * `Authorization` header.
     */
    api_key_header: HeaderName.optional(),
    /**
     * Headers whose values are secrets read from the environment, by name (`{ cf-access-client-secret:
     * CF_ACCESS_SECRET }`): a gateway such as Cloudflare Access or a second key a proxy wants. Unset
     * variables leave the provider unavailable, as an unset `api_key_env` does; the values are cut from
     * upstream errors like the key.
     */
    header_env: z.record(HeaderName, EnvVarName).default({}),
    /** Query parameters on every request, e.g. Azure OpenAI's `api-version`. */
    query: z.record(z.string().min(1), z.string()).default({}),
    /**
     * Ask for the usage chunk on streams (`stream_options.include_usage`). Off for servers that refuse
     * `stream_options` (Azure OpenAI API versions before 2024-09-01-preview answer 400): no
     * `stream_options` is sent, and the gateway counts the tokens itself, for its records and for the
     * client that asked for a usage chunk.
     */
    stream_usage: z.boolean().default(true),
    /**
     * The one field this server reads the answer's length limit from. Unset, the limit goes as the
     * client spelled it (a routing rule's cap with none from the client as `max_tokens`). Set, the
     * limit in force is sent under this name alone: OpenAI's reasoning models refuse `max_tokens`, and
     * a server that knows only `max_tokens` ignores `max_completion_tokens` (so a cap would not hold).
     */
    max_tokens_field: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  })
  .superRefine((provider, ctx) => {
    if (provider.base_url !== undefined && provider.base_urls !== undefined) {
      ctx.addIssue({ code: "custom", path: ["base_urls"], message: "give base_url (one server) or base_urls (a pool), not both" });
    } else if (provider.base_url === undefined && provider.base_urls === undefined) {
      ctx.addIssue({ code: "custom", path: ["base_url"], message: "required: base_url (one server) or base_urls (a pool of 2 or more)" });
    }
    const written = new Set(Object.keys(provider.headers).map((name) => name.toLowerCase()));
    for (const name of Object.keys(provider.header_env)) {
      const lower = name.toLowerCase();
      if (written.has(lower)) ctx.addIssue({ code: "custom", path: ["header_env", name], message: `${name} is in headers too; give it in one of them` });
      if (lower === "authorization" || lower === provider.api_key_header?.toLowerCase()) {
        ctx.addIssue({ code: "custom", path: ["header_env", name], message: `${name} carries the API key: name its variable in api_key_env` });
      }
    }
    if (provider.api_key_header !== undefined && provider.api_key_env === undefined) {
      ctx.addIssue({ code: "custom", path: ["api_key_header"], message: "names the header for the key in api_key_env, which is not set" });
    }
    for (const key of ["cooldown_ms", "max_cooldown_ms"] as const) {
      if (provider[key] !== undefined && provider.base_urls === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "applies to a pool of servers (base_urls) only" });
      }
    }
    const first = provider.cooldown_ms ?? DEFAULT_POOL_COOLDOWN_MS.first;
    if (provider.max_cooldown_ms !== undefined && provider.max_cooldown_ms < first) {
      ctx.addIssue({
        code: "custom",
        path: ["max_cooldown_ms"],
        message: `${provider.max_cooldown_ms} is below cooldown_ms (${first}); the longest cool-down is at least the first`,
      });
    }
  });


export const ProviderSchema = z.discriminatedUnion("type", [LlamaCppProviderSchema, OpenAICompatibleProviderSchema]);
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type LlamaCppProviderConfig = z.infer<typeof LlamaCppProviderSchema>;
export type OpenAICompatibleProviderConfig = z.infer<typeof OpenAICompatibleProviderSchema>;

const modelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "model ids are 1-128 of letters, digits, . _ : / -");

export const ModelSchema = z.strictObject({
  provider: z.string(),
  /** GGUF file for `llama_cpp` providers; relative paths are resolved against this file's folder. */
  path: z.string().optional(),
  /** The model name sent upstream, when it differs from this id. */
  upstream_model: z.string().optional(),
  context_window: positiveInt.default(4096),
  /** Completion cap used when the client sets none. */
  max_output_tokens: positiveInt.default(1024),
  capabilities: CapabilitiesSchema.default({ tools: false, json_schema: true, vision: false }),
  price: PriceSchema.optional(),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const ModelsFileSchema = z.strictObject({
  providers: z.record(z.string(), ProviderSchema),
  models: z.record(modelId, ModelSchema),
  defaults: z.strictObject({
    local: z.string().optional(),
    cloud: z.string().optional(),
    /** The cloud model savings are measured against. */
    baseline: z.string().optional(),
  }),
});
export type ModelsFile = z.infer<typeof ModelsFileSchema>;
