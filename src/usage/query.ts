/**
 * Answers `GET /v1/usage`: reads the bucket counters of a time range from any store and turns them
 * into totals, groups and a time series. Ranges are widened to whole buckets of the granularity.
 */
import { z } from "zod";
import { invalidRequest } from "../errors.js";
import { TENANT_ID } from "../auth/api-keys.js";
import { ALL_TENANTS, KEYS_PART, LATENCY_BOUNDS_MS, METRIC, parseField, tenantScope, type BucketRef, type Scope } from "./aggregate.js";
import { BUCKET_MS, bucketCount, bucketStart, bucketStarts, DEFAULT_RETENTION, GranularitySchema, type Granularity, type Retention } from "./buckets.js";
import { nanosToUsd } from "./money.js";
import type { UsageStore } from "./store.js";

export const GroupBySchema = z.enum(["model", "route", "intent", "key", "day"]);
export type GroupBy = z.infer<typeof GroupBySchema>;

/** More buckets than this in one answer is a mistake (or an accident) that would cost the store dearly. */
export const MAX_BUCKETS = 2_000;
/** Kept longest: a range older than its buckets holds nothing at any granularity. */
const COARSEST: Granularity = "day";
/** The automatic granularity is the finest that keeps a chart readable. */
const AUTO_MAX_BUCKETS = 500;
const DEFAULT_RANGE_MS = 24 * 3_600_000;

/** A Date holds ±8.64e15 ms; a day less leaves room to widen the range to whole buckets and print them. */
const LATEST_INSTANT_MS = 8.64e15 - BUCKET_MS.day;

/**
 * ISO 8601 / RFC 3339: a date, optionally a time (`T`, `t` or a space between), optionally `Z` or an
 * offset. Nothing else goes to Date.parse, whose fallback parser takes almost any text and reads it in
 * the server's time zone (`2025/06/01`, `June 1 2025`) or as nonsense (`-5` is May 2001).
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch ms of an ISO 8601 instant (UTC unless it names an offset, like the buckets); NaN if it is not one or names a day or time that does not exist. */
function parseIsoInstant(text: string): number {
  const match = ISO_INSTANT.exec(text);
  if (!match) return Number.NaN;
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", zone = "Z"] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  // Date.parse rolls 2025-02-30 over to March 2nd; a day the month does not have is a mistake.
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return Number.NaN;
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone.toUpperCase()}`);
}

/**
 * A date-time whose `+hh:mm` offset was sent unencoded: a query string reads `+` as a space. Nothing
 * else ends in a time, a space and four digits.
 */
const OFFSET_PLUS_AS_SPACE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)? \d{2}:?\d{2}$/;

/** ISO 8601 (UTC unless it names an offset, like the buckets), or epoch seconds (up to 11 digits) / epoch milliseconds (12 digits or more). */
const Instant = z.string().transform((text, ctx) => {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? (trimmed.length >= 12 ? Number(trimmed) : Number(trimmed) * 1000) : parseIsoInstant(trimmed);
  if (!Number.isFinite(ms) || Math.abs(ms) > LATEST_INSTANT_MS) {
    const hint = OFFSET_PLUS_AS_SPACE.test(trimmed) ? "; its offset's '+' arrived as a space (a query string reads '+' so): send it as %2B, e.g. %2B02:00, or use Z" : "";
    ctx.addIssue({ code: "custom", message: `must be an ISO 8601 date-time or an epoch time in seconds or milliseconds${hint}` });
    return z.NEVER;
  }
  return ms;
});

export const UsageQueryParamsSchema = z.strictObject({
  from: Instant.optional(),
  to: Instant.optional(),
  group_by: GroupBySchema.optional(),
  granularity: GranularitySchema.optional(),
  /** Admin only: narrow the all-tenant view to one tenant. */
  tenant: z.string().regex(TENANT_ID, "must be a tenant id: 1 to 256 characters, no control characters").optional(),
});

export interface UsageQuery {
  fromMs: number;
  toMs: number;
  granularity: Granularity;
  groupBy: GroupBy | undefined;
  /** Undefined: every tenant. */
  tenant: string | undefined;
}

/**
 * One value per parameter (`c.req.queries()` gives them all). A repeated one is a 400 naming it:
 * reading only its first value would answer `tenant=a&tenant=b` with one tenant's usage.
 */
export function singleValued(queries: Record<string, string[]>): Record<string, string> {
  // No prototype: `__proto__=x` must become a key the strict schema refuses, not a prototype to set.
  const params = Object.create(null) as Record<string, string>;
  for (const [name, values] of Object.entries(queries)) {
    if (values.length > 1) throw invalidRequest(`'${name}' is given ${values.length} times; give it once.`, name);
    params[name] = values[0] ?? "";
  }
  return params;
}

/** Parses `params` with `schema`, reporting the first problem as a 400 naming its parameter. */
function parseParams<S extends z.ZodType>(schema: S, params: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.code === "unrecognized_keys" ? (issue.keys[0] ?? null) : issue.path.length > 0 ? String(issue.path[0]) : null;
  throw invalidRequest(param ? `Invalid '${param}': ${issue.message}` : issue.message, param);
}

/** The range asked for, by default the 24 hours before `now`. */
function rangeOf(params: { from?: number | undefined; to?: number | undefined }, now: number): { fromMs: number; toMs: number } {
  const toMs = params.to ?? now;
  const fromMs = params.from ?? toMs - DEFAULT_RANGE_MS;
  if (fromMs >= toMs) throw invalidRequest(`'from' must be earlier than 'to'${params.to === undefined ? " (not given: now)" : ""}.`, "from");
  return { fromMs, toMs };
}

/** Validates raw query parameters into a query, with the defaults (last 24 h, automatic granularity). */
export function parseUsageQuery(params: Record<string, string>, now: number, retention: Retention = DEFAULT_RETENTION): UsageQuery {
  const parsed = parseParams(UsageQueryParamsSchema, params);
  const { fromMs, toMs } = rangeOf(parsed, now);
  const granularity = parsed.granularity ?? autoGranularity(fromMs, toMs, now, retention);
  // A bucket of grace, so "the last 2 days by minute" still works; past that, whole buckets are gone.
  if (bucketStart(fromMs, granularity) + retention.buckets[granularity] + BUCKET_MS[granularity] <= now) {
    const kept = `${granularity} buckets are kept for ${retentionText(retention.buckets[granularity])}, and 'from' is older: the range's buckets before then are gone and would read as zero.`;
    // Past the coarsest granularity's retention nothing is kept: only a later 'from' helps.
    if (granularity === COARSEST) throw invalidRequest(`${kept} Start the range within the last ${retentionText(retention.buckets[granularity])}.`, "from");
    throw invalidRequest(`${kept} Use a coarser granularity or leave it out.`, "granularity");
  }
  const buckets = bucketCount(fromMs, toMs, granularity);
  if (buckets > MAX_BUCKETS) {
    throw invalidRequest(
      `The range holds ${buckets} ${granularity} buckets; at most ${MAX_BUCKETS} are allowed. Narrow the range or use a coarser granularity.`,
      "granularity",
    );
  }
  return { fromMs, toMs, granularity, groupBy: parsed.group_by, tenant: parsed.tenant };
}

/**
 * The finest granularity that draws the range in at most `AUTO_MAX_BUCKETS` buckets and still keeps
 * its start: minute buckets expire after two days, so yesterday's morning is read by the minute but
 * last week's by the hour — never as zeros.
 */
function autoGranularity(fromMs: number, toMs: number, now: number, retention: Retention): Granularity {
  const kept = (granularity: Granularity) => bucketStart(fromMs, granularity) + retention.buckets[granularity] > now;
  if (bucketCount(fromMs, toMs, "minute") <= AUTO_MAX_BUCKETS && kept("minute")) return "minute";
  if (bucketCount(fromMs, toMs, "hour") <= AUTO_MAX_BUCKETS && kept("hour")) return "hour";
  return "day";
}

function retentionText(ms: number): string {
  const days = ms / BUCKET_MS.day;
  return Number.isInteger(days) ? `${days} days` : `${Math.round(ms / BUCKET_MS.hour)} hours`;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** The public shape of an aggregate (snake_case, like the rest of the OpenAI-style API). */
export interface UsageSummary {
  requests: number;
  errors: number;
  local_requests: number;
  /** local_requests / requests (0 without requests). */
  local_share: number;
  fallbacks: number;
  prompt_tokens: number;
  /** Of prompt_tokens, those the upstream served from its prompt cache (priced at `cached_input_per_1m`). */
  cached_prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  baseline_cost_usd: number;
  savings_usd: number;
  /** Estimated from a fixed histogram (linear within a bucket), like Prometheus' histogram_quantile. */
  latency_ms: LatencySummary | null;
  ttft_ms: LatencySummary | null;
  /** `TYPE:action` → count. */
  pii_actions: Record<string, number>;
}

export interface UsageReport {
  object: "usage.report";
  from: string;
  to: string;
  granularity: Granularity;
  group_by: GroupBy | null;
  /** The tenant the report covers; null for all tenants. */
  tenant: string | null;
  totals: UsageSummary;
  groups: Array<{ key: string } & UsageSummary>;
  series: Array<{ start: string; totals: UsageSummary; groups?: Record<string, UsageSummary> }>;
}

type Counters = Map<string, number>;

function addCounters(into: Counters, from: Counters): void {
  for (const [metric, amount] of from) into.set(metric, (into.get(metric) ?? 0) + amount);
}

/** Splits one bucket's fields into dimension value → counters, for one dimension. */
function countersOf(fields: Map<string, number>, dimension: string): Map<string, Counters> {
  const byValue = new Map<string, Counters>();
  for (const [name, amount] of fields) {
    const parts = parseField(name);
    if (!parts || parts.dimension !== dimension) continue;
    let counters = byValue.get(parts.value);
    if (!counters) byValue.set(parts.value, (counters = new Map()));
    counters.set(parts.metric, (counters.get(parts.metric) ?? 0) + amount);
  }
  return byValue;
}

/**
 * The `key` (tenant) groups of one bucket. All tenants: the bucket's `keys` part, plus the `key`
 * fields of its main hash, where buckets written before the split kept them (a bucket written across
 * the upgrade has some of each; every record is in exactly one of them). One tenant: its totals.
 */
function keyGroupsOf(scope: Scope, main: Map<string, number>, keys: Map<string, number> | undefined, totals: Counters | undefined): Map<string, Counters> {
  if (scope !== ALL_TENANTS) return totals ? new Map([[scope.slice("t:".length), totals]]) : new Map();
  const groups = countersOf(main, "key");
  for (const [value, counters] of countersOf(keys ?? new Map(), "key")) {
    const sum = groups.get(value);
    if (sum) addCounters(sum, counters);
    else groups.set(value, counters);
  }
  return groups;
}

function histogramQuantile(counters: Counters, prefix: string, total: number, q: number): number {
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i <= LATENCY_BOUNDS_MS.length; i++) {
    const inBucket = counters.get(`${prefix}${i}`) ?? 0;
    if (inBucket > 0 && seen + inBucket >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      // Above the last bound there is no upper edge: report the last bound, as Prometheus does.
      if (i === LATENCY_BOUNDS_MS.length) return lower;
      const upper = LATENCY_BOUNDS_MS[i]!;
      return lower + ((upper - lower) * (rank - seen)) / inBucket;
    }
    seen += inBucket;
  }
  return 0;
}

function latency(counters: Counters, count: number, sumMetric: string, bucketPrefix: string): LatencySummary | null {
  if (count === 0) return null;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    mean: round((counters.get(sumMetric) ?? 0) / count),
    p50: round(histogramQuantile(counters, bucketPrefix, count, 0.5)),
    p90: round(histogramQuantile(counters, bucketPrefix, count, 0.9)),
    p99: round(histogramQuantile(counters, bucketPrefix, count, 0.99)),
  };
}

export function summarize(counters: Counters): UsageSummary {
  const get = (metric: string) => counters.get(metric) ?? 0;
  const requests = get(METRIC.requests);
  const cost = get(METRIC.costNanos);
  const baseline = get(METRIC.baselineNanos);
  const pii: Record<string, number> = {};
  for (const [metric, amount] of counters) {
    if (metric.startsWith(METRIC.pii)) pii[metric.slice(METRIC.pii.length)] = amount;
  }
  return {
    requests,
    errors: get(METRIC.errors),
    local_requests: get(METRIC.local),
    local_share: requests === 0 ? 0 : get(METRIC.local) / requests,
    fallbacks: get(METRIC.fallbacks),
    prompt_tokens: get(METRIC.promptTokens),
    cached_prompt_tokens: get(METRIC.cachedPromptTokens),
    completion_tokens: get(METRIC.completionTokens),
    cost_usd: nanosToUsd(cost),
    baseline_cost_usd: nanosToUsd(baseline),
    savings_usd: nanosToUsd(baseline - cost),
    latency_ms: latency(counters, requests, METRIC.latencySumMs, METRIC.latencyBucket),
    ttft_ms: latency(counters, get(METRIC.ttftCount), METRIC.ttftSumMs, METRIC.ttftBucket),
    pii_actions: pii,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Per-bucket groups one report may hold (`series[].groups` entries, about 350 bytes of JSON each).
 * `group_by=key` has one per tenant active in each bucket: 400 tenants over 2 000 minute buckets ran
 * the process out of heap. Model, route and intent are bounded by the policy files.
 */
export const MAX_SERIES_GROUPS = 50_000;
/** Buckets whose per-tenant hashes one read brings back (one round trip to Redis each). */
const KEY_PARTS_PER_READ = 100;

const tooManyGroups = (max: number) =>
  invalidRequest(
    `The report would hold more than ${max.toLocaleString("en-US")} per-bucket groups. Use a coarser granularity or a shorter range (or the CSV export for raw records).`,
    "group_by",
  );

export async function queryUsage(store: UsageStore, query: UsageQuery, limits: { maxSeriesGroups?: number } = {}): Promise<UsageReport> {
  const maxSeriesGroups = limits.maxSeriesGroups ?? MAX_SERIES_GROUPS;
  let seriesGroups = 0;
  const scope: Scope = query.tenant === undefined ? ALL_TENANTS : tenantScope(query.tenant);
  const starts = bucketStarts(query.fromMs, query.toMs, query.granularity);
  const refs: BucketRef[] = starts.map((start) => ({ scope, granularity: query.granularity, start }));
  // The per-tenant hashes are read only when asked for: every other report costs the same whatever the tenant count.
  const readKeys = query.groupBy === "key" && scope === ALL_TENANTS;
  const buckets = await store.readBuckets(refs);
  // Their size grows with the tenant count, so they are read a chunk of buckets at a time: a report
  // past MAX_SERIES_GROUPS stops before the rest is read.
  const keyParts: Array<Map<string, number>> = [];
  const keyPartOf = async (i: number): Promise<Map<string, number> | undefined> => {
    if (!readKeys) return undefined;
    if (i % KEY_PARTS_PER_READ === 0) {
      const chunk = refs.slice(i, i + KEY_PARTS_PER_READ).map((ref): BucketRef => ({ ...ref, part: KEYS_PART }));
      keyParts.splice(0, keyParts.length, ...(await store.readBuckets(chunk)));
    }
    return keyParts[i % KEY_PARTS_PER_READ];
  };
  const dimension = query.groupBy === undefined || query.groupBy === "day" ? undefined : query.groupBy;

  const totals: Counters = new Map();
  const groupTotals = new Map<string, Counters>();
  const addToGroup = (key: string, counters: Counters) => {
    const sum = groupTotals.get(key) ?? new Map<string, number>();
    addCounters(sum, counters);
    groupTotals.set(key, sum);
  };
  const series: UsageReport["series"] = [];
  for (const [i, fields] of buckets.entries()) {
    const bucketCounters = countersOf(fields, "total").get("");
    const bucketTotals = bucketCounters ?? new Map<string, number>();
    addCounters(totals, bucketTotals);
    const point: UsageReport["series"][number] = { start: iso(starts[i]!), totals: summarize(bucketTotals) };
    // A day group sums the range's own buckets (each lies within one UTC day), not whole-day buckets:
    // those would count the hours outside the range, and the groups would no longer add up to the totals.
    if (query.groupBy === "day" && bucketCounters) addToGroup(iso(starts[i]!).slice(0, 10), bucketCounters);
    if (dimension) {
      // Keyed by tenant, model or intent: any text, `__proto__` included, must stay an own key.
      point.groups = Object.create(null) as Record<string, UsageSummary>;
      const byValue = dimension === "key" ? keyGroupsOf(scope, fields, await keyPartOf(i), bucketCounters) : countersOf(fields, dimension);
      // Counted before this bucket's summaries are built: past the bound nothing more is allocated.
      seriesGroups += byValue.size;
      if (seriesGroups > maxSeriesGroups) throw tooManyGroups(maxSeriesGroups);
      for (const [value, counters] of byValue) {
        point.groups[value] = summarize(counters);
        addToGroup(value, counters);
      }
    }
    series.push(point);
  }
  const groups = [...groupTotals].map(([key, counters]) => ({ key, ...summarize(counters) }));
  if (query.groupBy !== "day") groups.sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));

  const lastStart = starts[starts.length - 1] ?? query.fromMs;
  return {
    object: "usage.report",
    from: iso(starts[0] ?? query.fromMs),
    to: iso(lastStart + BUCKET_MS[query.granularity]),
    granularity: query.granularity,
    group_by: query.groupBy ?? null,
    tenant: query.tenant ?? null,
    totals: summarize(totals),
    groups,
    series,
  };
}

export const UsageExportParamsSchema = UsageQueryParamsSchema.pick({ from: true, to: true, tenant: true });

export interface UsageExportQuery {
  fromMs: number;
  toMs: number;
  tenant: string | undefined;
  /** Whether `from` is the default (24 hours before `to`), so a refusal of it can say so. */
  defaultFrom: boolean;
}

/** `from`/`to` of an export, with the same defaults and formats as the report. */
export function parseUsageExportQuery(params: Record<string, string>, now: number): UsageExportQuery {
  const parsed = parseParams(UsageExportParamsSchema, params);
  return { ...rangeOf(parsed, now), tenant: parsed.tenant, defaultFrom: parsed.from === undefined };
}

/**
 * An export whose range starts before the records still kept (`UsageStore.recordsKeptSince`) is a
 * 400: its CSV would look whole and sum to less than the report of the same range, as a report whose
 * buckets have expired is refused rather than read as zeros.
 */
export function refuseDroppedRecords(query: UsageExportQuery, keptSince: number | undefined): void {
  if (keptSince === undefined || query.fromMs >= keptSince) return;
  throw invalidRequest(
    `Raw records before ${iso(keptSince)} are no longer kept (the record stream is capped; the report's buckets keep totals longer): the export would miss some of this range${query.defaultFrom ? " (by default the 24 hours before 'to')" : ""}. Start it at or after ${iso(keptSince)}, or read the range's totals from /v1/usage.`,
    "from",
  );
}
