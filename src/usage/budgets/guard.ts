/**
 * Answers "has this tenant spent its monthly budget?" before a request is routed, without a Redis
 * round trip on most requests.
 *
 * Spend lives in the store (one counter per tenant per month, written with every usage batch, so all
 * replicas add to it). Each replica caches a tenant's counter for `cacheTtlMs` and adds what it
 * recorded itself that the reading cannot include yet; an entry older than the TTL is answered at once
 * and refreshed in the background, one older than twice the TTL (a replica that was idle for the
 * tenant) is refreshed first. So a request waits for a read only on a tenant's first request per
 * process and month or after an idle gap, and never longer than `readTimeoutMs`.
 *
 * Overshoot bound: a request is admitted on the spend known before it starts, so a tenant can end
 * the month above its budget by (a) the cost of its requests in flight when it crosses the limit, plus
 * (b) what the other replicas recorded but this one has not seen yet: at most their spend during
 * 2 × `cacheTtlMs` + the recorder's flush interval + a read's latency (a reading is used up to two
 * TTLs old, the second while its refresh is in flight). With the defaults (4 s + 0.25 s) that is a
 * few seconds of the tenant's spend rate, however long this replica was idle before.
 *
 * When the store cannot be read, the guard fails open (the last known spend plus this replica's own
 * recordings decide) and reports the error: budgets protect money, and refusing every request during
 * a Redis outage would turn a storage problem into a full outage.
 */
import { DO_NOT_RETRY, GatewayError } from "../../errors.js";
import { monthOf, nextMonthStart } from "../buckets.js";
import { nanosToUsd, usdToNanos } from "../money.js";
import type { UsageStore } from "../store.js";
import { budgetRuleFor, type BudgetAction, type BudgetPolicy } from "./schema.js";

export interface BudgetStatus {
  tenant: string;
  /** `YYYY-MM` (UTC) the status is for. */
  month: string;
  /** True once spend reaches the limit (spending exactly the budget exhausts it). */
  exceeded: boolean;
  spentUsd: number;
  /** Null when the tenant has no budget. */
  limitUsd: number | null;
  action: BudgetAction | null;
  /** When the budget resets (the next UTC month), epoch ms. */
  resetsAt: number;
}

export interface BudgetGuardOptions {
  store: UsageStore;
  policy: BudgetPolicy;
  cacheTtlMs?: number;
  readTimeoutMs?: number;
  now?: () => number;
  /** A failed spend read; the guard carries on with what it knows. */
  onError?: (error: unknown, tenant: string) => void;
}

interface SpendEntry {
  month: string;
  /** The store's counter at the last completed read. */
  remoteNanos: number;
  /** Recorded by this replica, not yet written to the store: certainly missing from `remoteNanos`. */
  pendingNanos: number;
  /** Written by this replica since the last read began: maybe missing from `remoteNanos`, so counted. */
  writtenNanos: number;
  readAt: number;
  refreshing: Promise<void> | undefined;
}

export class BudgetGuard {
  private policy: BudgetPolicy;
  private readonly store: UsageStore;
  private readonly cacheTtlMs: number;
  private readonly readTimeoutMs: number;
  private readonly now: () => number;
  private readonly onError: (error: unknown, tenant: string) => void;
  private readonly spend = new Map<string, SpendEntry>();

  constructor(options: BudgetGuardOptions) {
    this.store = options.store;
    this.policy = options.policy;
    this.cacheTtlMs = options.cacheTtlMs ?? 2_000;
    this.readTimeoutMs = options.readTimeoutMs ?? 250;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** Swaps the policy after a reload; cached spend stays valid (it does not depend on the policy). */
  setPolicy(policy: BudgetPolicy): void {
    this.policy = policy;
  }

  /** The tenant's budget state; tenants without a budget never cost a read. */
  async status(tenant: string): Promise<BudgetStatus> {
    const now = this.now();
    const month = monthOf(now);
    const rule = budgetRuleFor(this.policy, tenant);
    const resetsAt = nextMonthStart(now);
    if (!rule) {
      const entry = this.spend.get(tenant);
      const spent = entry?.month === month ? spentNanos(entry) : 0;
      return { tenant, month, exceeded: false, spentUsd: nanosToUsd(spent), limitUsd: null, action: null, resetsAt };
    }
    const entry = this.entry(tenant, month);
    const age = now - entry.readAt;
    // A reading up to 2 TTLs old is answered at once and refreshed behind; an older one (the first, or
    // a replica idle for the tenant while others spent) is not evidence: wait for the read (at most
    // `readTimeoutMs`; failing open on the last known spend as ever).
    if (age >= 2 * this.cacheTtlMs) await this.refresh(tenant, entry);
    else if (age >= this.cacheTtlMs) void this.refresh(tenant, entry);
    const spent = spentNanos(entry);
    return {
      tenant,
      month,
      exceeded: spent >= usdToNanos(rule.monthly_usd),
      spentUsd: nanosToUsd(spent),
      limitUsd: rule.monthly_usd,
      action: rule.action,
      resetsAt,
    };
  }

  /** Called for every recorded request, so this replica sees its own spend before the store does. */
  noteSpend(tenant: string, costUsd: number, timeMs: number): void {
    const entry = this.entry(tenant, monthOf(timeMs));
    entry.pendingNanos += usdToNanos(costUsd);
  }

  /** Called when the recorder has written a record: its cost moves from pending to written. */
  noteWritten(tenant: string, costUsd: number, timeMs: number): void {
    const entry = this.spend.get(tenant);
    if (!entry || entry.month !== monthOf(timeMs)) return;
    const nanos = usdToNanos(costUsd);
    entry.pendingNanos -= nanos;
    entry.writtenNanos += nanos;
  }

  private entry(tenant: string, month: string): SpendEntry {
    let entry = this.spend.get(tenant);
    if (!entry || entry.month !== month) {
      entry = { month, remoteNanos: 0, pendingNanos: 0, writtenNanos: 0, readAt: Number.NEGATIVE_INFINITY, refreshing: undefined };
      this.spend.set(tenant, entry);
    }
    return entry;
  }

  private refresh(tenant: string, entry: SpendEntry): Promise<void> {
    entry.refreshing ??= this.read(tenant, entry).finally(() => {
      entry.refreshing = undefined;
    });
    return entry.refreshing;
  }

  private async read(tenant: string, entry: SpendEntry): Promise<void> {
    // Records written before the read began are in its answer; those written while it is in flight
    // may be too, and stay counted until the next read (a brief over-count, never an under-count).
    const writtenAtStart = entry.writtenNanos;
    let timer: NodeJS.Timeout | undefined;
    try {
      const remote = await Promise.race([
        this.store.monthSpendNanos(tenant, entry.month),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`reading the spend of '${tenant}' took longer than ${this.readTimeoutMs} ms`)), this.readTimeoutMs);
        }),
      ]);
      entry.remoteNanos = remote;
      entry.writtenNanos -= writtenAtStart;
    } catch (error) {
      this.onError(error, tenant);
    } finally {
      clearTimeout(timer);
      entry.readAt = this.now();
    }
  }
}

const spentNanos = (entry: SpendEntry): number => entry.remoteNanos + entry.pendingNanos + entry.writtenNanos;

/**
 * Under a dollar: three significant digits, so a sub-cent budget does not read "$0.00 of its $0.00", as a
 * plain decimal (toPrecision wrote "$5.00e-7" below a micro-dollar) and none past the nano-dollar, the
 * precision spend is kept to ("lessPrecision": whichever limit gives fewer digits). The dashboard
 * (dashboard.js, a browser file that cannot import this) writes amounts the same way: keep them in step.
 */
const SUB_DOLLAR = new Intl.NumberFormat("en-US", {
  minimumSignificantDigits: 3,
  maximumSignificantDigits: 3,
  maximumFractionDigits: 9,
  roundingPriority: "lessPrecision",
  useGrouping: false,
});

/** Cents from $1 up (and for nothing spent); below, {@link SUB_DOLLAR}. */
const dollars = (usd: number): string => (usd >= 1 || usd === 0 ? usd.toFixed(2) : SUB_DOLLAR.format(usd));

/** The 429 the gateway answers when a tenant's budget is spent and its action is `deny`. */
export function budgetExceeded(status: BudgetStatus, now: number = Date.now()): GatewayError {
  const spent = dollars(status.spentUsd);
  const limit = dollars(status.limitUsd ?? 0);
  const resets = new Date(status.resetsAt).toISOString().slice(0, 10);
  return new GatewayError(
    `Tenant '${status.tenant}' has spent $${spent} of its $${limit} monthly budget for ${status.month}; requests are refused until the budget resets on ${resets} (UTC).`,
    {
      status: 429,
      type: "rate_limit_error",
      code: "budget_exceeded",
      // When the budget resets, for whoever reads it; not a wait for the client's SDK to sleep out.
      headers: { "retry-after": String(Math.max(1, Math.ceil((status.resetsAt - now) / 1000))), ...DO_NOT_RETRY },
    },
  );
}
