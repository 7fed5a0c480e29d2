/**
 * The flat layout of usage aggregates shared by every store: hashes per (scope, granularity, bucket)
 * whose fields are `dimension|metric|value` counters. Flat counters add up across replicas with plain
 * HINCRBY, need no read-modify-write, and a batch of records collapses into one increment per
 * distinct field before it is sent.
 *
 * The `key` (tenant) dimension has one value per active tenant, so it lives in a hash of its own
 * (the bucket's `keys` part, all-tenants scope only) that only a `group_by=key` query reads: totals,
 * model, route and intent reads cost the same however many tenants there are. In a tenant's own scope
 * the `key` dimension is that tenant's totals, so it is not stored at all. Buckets written before this
 * split (the `key` dimension inside the main hash, in both scopes) are still read correctly until they
 * expire: see `keyGroupsOf`.
 */
import type { Granularity } from "./buckets.js";
import { bucketStart, GRANULARITIES, monthOf } from "./buckets.js";
import { usdToNanos } from "./money.js";
import type { UsageRecord } from "./record.js";

export const DIMENSIONS = ["total", "model", "route", "intent", "key"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Upper bounds (ms) of the latency histogram buckets; one more bucket counts everything above. */
export const LATENCY_BOUNDS_MS = [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000] as const;

/** Counter names inside a bucket hash. Histogram and PII counters add `<index>` / `<type>:<action>`. */
export const METRIC = {
  requests: "n",
  errors: "err",
  local: "loc",
  fallbacks: "fb",
  promptTokens: "pt",
  cachedPromptTokens: "cpt",
  completionTokens: "ct",
  costNanos: "cost",
  baselineNanos: "base",
  latencySumMs: "lat_sum",
  latencyBucket: "lat_h",
  ttftCount: "ttft_n",
  ttftSumMs: "ttft_sum",
  ttftBucket: "ttft_h",
  pii: "pii:",
} as const;

/** Label for a missing dimension value (a request that failed before it had a route or model). */
export const NONE = "(none)";

export const ALL_TENANTS = "all";
export type Scope = typeof ALL_TENANTS | `t:${string}`;
export const tenantScope = (tenant: string): Scope => `t:${tenant}`;

export interface BucketRef {
  scope: Scope;
  granularity: Granularity;
  /** Bucket start, epoch ms. */
  start: number;
  /** `keys`: the bucket's `key`-dimension hash (all-tenants scope); absent: the main hash (every other dimension). */
  part?: BucketPart;
}

export const KEYS_PART = "keys" as const;
export type BucketPart = typeof KEYS_PART;

/** The main hash keeps its pre-split id; the `keys` part appends `:keys` (a main id always ends in digits, so none collides). */
export const bucketId = (ref: BucketRef): string => `${ref.granularity}:${ref.scope}:${ref.start}${ref.part ? `:${ref.part}` : ""}`;

export interface BatchIncrements {
  buckets: Map<string, { ref: BucketRef; fields: Map<string, number> }>;
  /** month → tenant → nano-dollars spent. */
  spend: Map<string, Map<string, number>>;
}

export const field = (dimension: Dimension, metric: string, value: string): string => `${dimension}|${metric}|${value}`;

/** Splits a field back into its parts; the value is last so it may itself contain `|`. */
export function parseField(name: string): { dimension: string; metric: string; value: string } | undefined {
  const first = name.indexOf("|");
  const second = first < 0 ? -1 : name.indexOf("|", first + 1);
  if (second < 0) return undefined;
  return { dimension: name.slice(0, first), metric: name.slice(first + 1, second), value: name.slice(second + 1) };
}

export const latencyBucketIndex = (ms: number): number => {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index < 0 ? LATENCY_BOUNDS_MS.length : index;
};

/** Adds the counters one record contributes to each dimension value it belongs to. */
function addRecordCounters(into: Map<string, number>, record: UsageRecord): void {
  const add = (metric: string, amount: number) => into.set(metric, (into.get(metric) ?? 0) + amount);
  add(METRIC.requests, 1);
  add(METRIC.promptTokens, record.promptTokens);
  add(METRIC.cachedPromptTokens, record.cachedPromptTokens);
  add(METRIC.completionTokens, record.completionTokens);
  add(METRIC.costNanos, usdToNanos(record.costUsd));
  add(METRIC.baselineNanos, usdToNanos(record.baselineCostUsd));
  add(METRIC.latencySumMs, Math.round(record.totalMs));
  add(`${METRIC.latencyBucket}${latencyBucketIndex(record.totalMs)}`, 1);
  if (record.status >= 400) add(METRIC.errors, 1);
  if (record.route === "local") add(METRIC.local, 1);
  if (record.fallback) add(METRIC.fallbacks, 1);
  if (record.ttftMs !== null) {
    add(METRIC.ttftCount, 1);
    add(METRIC.ttftSumMs, Math.round(record.ttftMs));
    add(`${METRIC.ttftBucket}${latencyBucketIndex(record.ttftMs)}`, 1);
  }
  for (const pii of record.pii) add(`${METRIC.pii}${pii.type}:${pii.action}`, pii.count);
}

export const emptyIncrements = (): BatchIncrements => ({ buckets: new Map(), spend: new Map() });

/**
 * Adds `counters` — the summed counters of records that share tenant, model, route, intent and
 * minute (`like` is one of them) — for the all-tenants and the tenant scope, at every granularity:
 * `total`, `model`, `route` and `intent` into each scope's main hash, `key` into the all-tenants
 * scope's `keys` part.
 */
function addGroup(into: BatchIncrements, like: UsageRecord, counters: ReadonlyMap<string, number>): void {
  const values: Array<[Dimension, string]> = [
    ["total", ""],
    ["model", like.model ?? NONE],
    ["route", like.route ?? NONE],
    ["intent", like.intent ?? NONE],
  ];
  // Field names depend only on the group, so build them once for its bucket hashes.
  const fieldsOf = (dims: Array<[Dimension, string]>): Array<[string, number]> => {
    const fields: Array<[string, number]> = [];
    for (const [dimension, value] of dims) {
      for (const [metric, amount] of counters) if (amount !== 0) fields.push([field(dimension, metric, value), amount]);
    }
    return fields;
  };
  const mainFields = fieldsOf(values);
  const keyFields = fieldsOf([["key", like.tenant]]);
  const add = (ref: BucketRef, fields: Array<[string, number]>) => {
    const id = bucketId(ref);
    let bucket = into.buckets.get(id);
    if (!bucket) into.buckets.set(id, (bucket = { ref, fields: new Map() }));
    for (const [name, amount] of fields) bucket.fields.set(name, (bucket.fields.get(name) ?? 0) + amount);
  };
  for (const granularity of GRANULARITIES) {
    const start = bucketStart(like.time, granularity);
    add({ scope: ALL_TENANTS, granularity, start }, mainFields);
    add({ scope: ALL_TENANTS, granularity, start, part: KEYS_PART }, keyFields);
    add({ scope: tenantScope(like.tenant), granularity, start }, mainFields);
  }
}

/**
 * The increments of a batch of records. Records of one tenant, model, route and intent within one
 * minute land in the same bucket fields, so their counters are summed first and expanded into
 * fields once per group: a busy gateway's batch of hundreds of records becomes a handful of groups.
 */
export function aggregateBatch(records: readonly UsageRecord[]): BatchIncrements {
  const into = emptyIncrements();
  const groups = new Map<string, { like: UsageRecord; counters: Map<string, number> }>();
  for (const record of records) {
    const key = `${bucketStart(record.time, "minute")}\0${record.tenant}\0${record.model ?? ""}\0${record.route ?? ""}\0${record.intent ?? ""}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { like: record, counters: new Map() }));
    addRecordCounters(group.counters, record);

    const month = monthOf(record.time);
    let tenants = into.spend.get(month);
    if (!tenants) into.spend.set(month, (tenants = new Map()));
    tenants.set(record.tenant, (tenants.get(record.tenant) ?? 0) + usdToNanos(record.costUsd));
  }
  for (const { like, counters } of groups.values()) addGroup(into, like, counters);
  return into;
}
