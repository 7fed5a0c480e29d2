/**
 * What a request cost, what the baseline cloud model would have charged for the same tokens, and the
 * difference, from the prices in `policies/models.yaml`.
 *
 * Per-token prices are exact: tokens × price / 1M. Prompt tokens the upstream served from its cache
 * cost `cached_input_per_1m` (the input price when the model has none), the rest `input_per_1m`.
 * For an answer priced per token the baseline sees the same cached tokens: the baseline's cache would
 * have held the same prefix, and a request its own baseline model answered must show no savings. For
 * an answer priced per hour (the local host) cached tokens are a local server's reuse of its own
 * state, no cloud discount, so the baseline prices every prompt token as input, as it always has.
 *
 * Per-hour prices (`usd_per_hour`, the local host) are charged by slot time. A llama.cpp provider
 * serves `parallel` requests at once, so the host is `parallel` slots each worth `usd_per_hour /
 * parallel`; a request pays for the seconds it held one (`generationMs`: generation, not queue wait).
 * Concurrent requests therefore never add up to more than the host costs, and a fully busy host is
 * charged exactly its price. Idle time is charged to nobody: it is the price of having the host, not
 * of any request. Measured-throughput pricing (host $/h ÷ tokens/h) was rejected because throughput
 * depends on prompt length, batching and the model, and would need a benchmark per deployment.
 */
import type { Price } from "../config/models-schema.js";
import type { ModelEntry, ModelRegistry } from "../models/registry.js";
import type { ProviderConfig } from "../config/models-schema.js";
import type { FailedAttempt } from "./record.js";

const MS_PER_HOUR = 3_600_000;
const TOKENS_PER_PRICE_UNIT = 1_000_000;

export interface RequestCostInput {
  model: string | null;
  promptTokens: number;
  /** Of `promptTokens`, those served from the upstream's prompt cache (at most `promptTokens`); default 0. */
  cachedPromptTokens?: number;
  completionTokens: number;
  /** Time the request held a generation slot; prices per-hour models. */
  generationMs: number;
  /**
   * Models tried before that failed after starting, with the slot time each held: a per-hour model's
   * time is charged as if it had answered (the host was busy either way); a per-token one billed nothing.
   */
  failedAttempts?: readonly FailedAttempt[];
  /** False: no savings are claimed (baseline = cost), for a request that got no answer. Default true. */
  claimSavings?: boolean;
}

export interface RequestCost {
  costUsd: number;
  baselineCostUsd: number;
  savingsUsd: number;
}

export interface CostModel {
  price(input: RequestCostInput): RequestCost;
  /** Configured models without a price: their requests are recorded at $0; the composition root warns. */
  readonly unpriced: readonly string[];
  readonly baselineModel: string | undefined;
}

/** Cost of `tokens` and `generationMs` at `price` on a host with `slots` concurrent generations. */
export function priceCost(price: Price, tokens: { prompt: number; cached: number; completion: number }, generationMs: number, slots: number): number {
  if ("usd_per_hour" in price) return (price.usd_per_hour * generationMs) / MS_PER_HOUR / Math.max(1, slots);
  const cached = Math.min(tokens.cached, tokens.prompt);
  const cachedPrice = price.cached_input_per_1m ?? price.input_per_1m;
  return ((tokens.prompt - cached) * price.input_per_1m + cached * cachedPrice + tokens.completion * price.output_per_1m) / TOKENS_PER_PRICE_UNIT;
}

/**
 * @example
 * const costs = createCostModel(config.registry, config.providers);
 * costs.price({ model: "gpt-4o-mini", promptTokens: 1000, completionTokens: 500, generationMs: 900 });
 * // { costUsd: 0.00045, baselineCostUsd: 0.0075, savingsUsd: 0.00705 } with baseline gpt-4o
 */
export function createCostModel(registry: ModelRegistry, providers: Readonly<Record<string, ProviderConfig>>): CostModel {
  const modelsOn = new Map<string, number>();
  for (const model of registry.models.values()) modelsOn.set(model.providerId, (modelsOn.get(model.providerId) ?? 0) + 1);
  const slotsOf = (model: ModelEntry): number => {
    const provider = providers[model.providerId];
    // Each model of a llama_cpp provider is loaded with its own `parallel` sequences: the host runs
    // that many generations per model at once. An OpenAI-compatible server priced per hour is one
    // host whose concurrency we cannot see: one slot.
    return provider?.type === "llama_cpp" ? provider.parallel * (modelsOn.get(model.providerId) ?? 1) : 1;
  };
  const costOf = (model: ModelEntry | undefined, input: RequestCostInput, cached: number): number | undefined =>
    model?.price === undefined
      ? undefined
      : priceCost(model.price, { prompt: input.promptTokens, cached, completion: input.completionTokens }, input.generationMs, slotsOf(model));
  const baseline = registry.baseline;
  return {
    unpriced: [...registry.models.values()].filter((m) => m.price === undefined).map((m) => m.id),
    baselineModel: baseline?.id,
    price(input) {
      const model = input.model === null ? undefined : registry.get(input.model);
      const cached = input.cachedPromptTokens ?? 0;
      let costUsd = costOf(model, input, cached) ?? 0;
      // Priced on no tokens: a per-hour model's slot time is charged, a per-token model's nothing.
      for (const { model: id, generationMs } of input.failedAttempts ?? []) costUsd += costOf(registry.get(id), { model: id, promptTokens: 0, completionTokens: 0, generationMs }, 0) ?? 0;
      const billedPerToken = model?.price !== undefined && "input_per_1m" in model.price;
      // Without a priced baseline (or an answer to compare) there is nothing to compare with: claim
      // no savings rather than invent them.
      const baselineCostUsd = input.claimSavings === false ? costUsd : (costOf(baseline, input, billedPerToken ? cached : 0) ?? costUsd);
      return { costUsd, baselineCostUsd, savingsUsd: baselineCostUsd - costUsd };
    },
  };
}
