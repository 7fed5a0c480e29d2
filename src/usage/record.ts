/**
 * One completed chat request as usage accounting sees it: who asked, where it went, what it used and
 * what it cost. The schema is the single source of the record's shape (stream entries read back from
 * Redis are parsed with it); the hot path builds records as typed objects and never re-validates.
 */
import { z } from "zod";

export const RouteSchema = z.enum(["local", "cloud"]);
export type Route = z.infer<typeof RouteSchema>;

/** How often one PII action was applied to one entity type in the request (counts only, never values). */
export const PiiActionCountSchema = z.strictObject({
  type: z.string().min(1),
  action: z.string().min(1),
  count: z.int().positive(),
});
export type PiiActionCount = z.infer<typeof PiiActionCountSchema>;

const usd = z.number().finite();
const ms = z.number().finite().nonnegative();
const tokens = z.int().nonnegative();

export const UsageRecordSchema = z.strictObject({
  /** When the request finished (epoch ms); buckets and month budgets use this time. */
  time: z.int().nonnegative(),
  requestId: z.string().min(1),
  /** The API key's tenant id (never the key). */
  tenant: z.string().min(1),
  session: z.string().nullable(),
  /** Null when the request failed before a route was chosen (e.g. a 400). */
  route: RouteSchema.nullable(),
  model: z.string().nullable(),
  intent: z.string().nullable(),
  confidence: z.number().min(0).max(1).nullable(),
  /** The first target failed and another one answered (or was tried). */
  fallback: z.boolean(),
  /** HTTP status the client received. */
  status: z.int().min(100).max(599),
  /** The GatewayError code when the request failed. */
  error: z.string().nullable(),
  promptTokens: tokens,
  /**
   * Of `promptTokens`, those the upstream served from its prompt cache (`prompt_tokens_details.cached_tokens`),
   * priced at `cached_input_per_1m`. Records written before this field existed read as 0.
   */
  cachedPromptTokens: tokens.default(0),
  completionTokens: tokens,
  costUsd: usd,
  baselineCostUsd: usd,
  /** baselineCostUsd − costUsd; negative when the chosen model costs more than the baseline. */
  savingsUsd: usd,
  /** Time to first token; null when no token was produced. */
  ttftMs: ms.nullable(),
  totalMs: ms,
  pii: z.array(PiiActionCountSchema),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/**
 * What the pipeline knows when a request ends; usage accounting adds the money fields. `generationMs`
 * is the time the request held a local generation slot (total minus queue wait); it prices per-hour
 * models and defaults to `totalMs`.
 */
export type UsageInput = Omit<
  UsageRecord,
  "time" | "costUsd" | "baselineCostUsd" | "savingsUsd" | "pii" | "session" | "intent" | "confidence" | "error" | "fallback" | "ttftMs" | "cachedPromptTokens"
> &
  Partial<Pick<UsageRecord, "time" | "pii" | "session" | "intent" | "confidence" | "error" | "fallback" | "ttftMs" | "cachedPromptTokens">> & {
    generationMs?: number;
    /** Models that started on the request and failed before the recorded one: the slot time each held. */
    failedAttempts?: readonly FailedAttempt[];
    /**
     * False for a request that got no answer: what the baseline would have charged for it is unknown,
     * so the record claims no savings (baseline = cost). Default true.
     */
    claimSavings?: boolean;
  };

/** A model that started on a request and failed: per-hour models charge the slot time it held. */
export interface FailedAttempt {
  model: string;
  generationMs: number;
}
