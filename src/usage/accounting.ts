/**
 * The usage stage of the pipeline: turns what a finished request knows into a priced record, hands it
 * to the background recorder, counts it in the metrics and in the tenant's budget. Nothing here waits
 * on I/O: `record` is synchronous and cheap enough for the request path.
 */
import type { BudgetGuard, BudgetStatus } from "./budgets/guard.js";
import type { CostModel, RequestCost } from "./cost.js";
import type { Metrics } from "./metrics.js";
import { nanosToUsd, usdToNanos } from "./money.js";
import type { UsageInput, UsageRecord } from "./record.js";
import type { RecorderStats, UsageRecorder } from "./recorder.js";

export interface UsageAccountingDeps {
  costs: CostModel;
  recorder: UsageRecorder;
  budgets: BudgetGuard;
  metrics?: Metrics;
  now?: () => number;
}

export interface UsageAccounting {
  /** Prices and records one finished request (success or failure); returns the record it queued. */
  record(input: UsageInput): UsageRecord;
  /** The tenant's monthly budget state; call it before routing. */
  budgetStatus(tenant: string): Promise<BudgetStatus>;
  stats(): RecorderStats;
}

/**
 * Token counts come from the upstream's `usage`, which no one validates: a server that reports only
 * `total_tokens` gives undefined, another a fraction. Store counters add with HINCRBY, which refuses
 * anything but an integer: a refused increment leaves that counter short while the rest of its batch
 * is applied (a script does not roll back), so counts are made whole integers here, before they are stored.
 */
const tokenCount = (n: number | undefined): number => (typeof n === "number" && n > 0 && Number.isFinite(n) ? Math.round(n) : 0);
const duration = (ms: number | undefined): number => (typeof ms === "number" && ms > 0 && Number.isFinite(ms) ? ms : 0);

/**
 * Money in whole nano-dollars, as every aggregate, budget counter and total counts it: the record's
 * amounts (the CSV export, /metrics) then add up to exactly the report's totals, and savings are exactly
 * baseline − cost, never a binary-float artefact like 0.0000704999….
 */
function inNanos(money: RequestCost): RequestCost {
  const cost = usdToNanos(money.costUsd);
  const baseline = usdToNanos(money.baselineCostUsd);
  return { costUsd: nanosToUsd(cost), baselineCostUsd: nanosToUsd(baseline), savingsUsd: nanosToUsd(baseline - cost) };
}

/** The full record for `input`, priced with `costs`; pure, so it is tested without a store. */
export function buildUsageRecord(costs: CostModel, input: UsageInput, now: number): UsageRecord {
  const promptTokens = tokenCount(input.promptTokens);
  // Cached tokens are part of the prompt: more than the prompt is an upstream's mistake, not a discount on output.
  const cachedPromptTokens = Math.min(tokenCount(input.cachedPromptTokens), promptTokens);
  const completionTokens = tokenCount(input.completionTokens);
  const totalMs = duration(input.totalMs);
  const money = inNanos(costs.price({
    model: input.model,
    promptTokens,
    cachedPromptTokens,
    completionTokens,
    generationMs: input.generationMs === undefined ? totalMs : duration(input.generationMs),
    ...(input.failedAttempts?.length ? { failedAttempts: input.failedAttempts.map((a) => ({ model: a.model, generationMs: duration(a.generationMs) })) } : {}),
    ...(input.claimSavings === false ? { claimSavings: false } : {}),
  }));
  return {
    time: input.time ?? now,
    requestId: input.requestId,
    tenant: input.tenant,
    session: input.session ?? null,
    route: input.route,
    model: input.model,
    intent: input.intent ?? null,
    confidence: input.confidence ?? null,
    fallback: input.fallback ?? false,
    status: input.status,
    error: input.error ?? null,
    promptTokens,
    cachedPromptTokens,
    completionTokens,
    ...money,
    ttftMs: input.ttftMs === undefined || input.ttftMs === null ? null : duration(input.ttftMs),
    totalMs,
    pii: input.pii ?? [],
  };
}

/**
 * @example
 * const usage = createUsageAccounting({ costs, recorder, budgets, metrics });
 * const budget = await usage.budgetStatus(tenant.id);       // before deciding the route
 * usage.record({ requestId, tenant: tenant.id, route: "local", model: "local-slm", status: 200,
 *                promptTokens: 42, completionTokens: 17, ttftMs: 80, totalMs: 640 });
 */
export function createUsageAccounting(deps: UsageAccountingDeps): UsageAccounting {
  const now = deps.now ?? Date.now;
  return {
    record(input) {
      const record = buildUsageRecord(deps.costs, input, now());
      deps.recorder.enqueue(record);
      deps.budgets.noteSpend(record.tenant, record.costUsd, record.time);
      deps.metrics?.observeRequest(record);
      return record;
    },
    budgetStatus: (tenant) => deps.budgets.status(tenant),
    stats: () => deps.recorder.stats(),
  };
}
