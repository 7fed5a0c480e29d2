/**
 * Schema of `policies/models.yaml`: where each model runs, what it can do and what it costs.
 * Keys are strict so a typo is an error, not a silently ignored setting.
 */
import { z } from "zod";

const positiveInt = z.int().positive();

export const CapabilitiesSchema = z.strictObject({
  tools: z.boolean().default(false),
  json_schema: z.boolean().default(true),
  vision: z.boolean().default(false),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const PriceSchema = z.union([
  z.strictObject({ input_per_1m: z.number().nonnegative(), output_per_1m: z.number().nonnegative() }),
  z.strictObject({ usd_per_hour: z.number().nonnegative() }),
]);
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
  queue_timeout_ms: positiveInt.default(30_000),
});

export const OpenAICompatibleProviderSchema = z.strictObject({
  type: z.literal("openai_compatible"),
  base_url: z.url(),
  /** Name of the environment variable that holds the API key (never the key itself). */
  api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name").optional(),
  /** `local` for servers on this host or network (e.g. a llama.cpp server pool): PII rules for local apply. */
  location: z.enum(["local", "cloud"]).default("cloud"),
  timeout_ms: positiveInt.default(60_000),
  max_retries: z.int().min(0).max(10).default(2),
  headers: z.record(z.string(), z.string()).default({}),
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
