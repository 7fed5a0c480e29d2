/**
 * Time buckets of the usage aggregates: UTC-aligned minutes, hours and days, each kept for its own
 * retention so fine-grained data (large) expires early and daily totals (small) stay for years.
 */
import { z } from "zod";

export const GranularitySchema = z.enum(["minute", "hour", "day"]);
export type Granularity = z.infer<typeof GranularitySchema>;
export const GRANULARITIES = GranularitySchema.options;

export const BUCKET_MS: Record<Granularity, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const DAY_MS = BUCKET_MS.day;

export interface Retention {
  /** How long each granularity's buckets are kept, in ms. */
  buckets: Record<Granularity, number>;
  /** How long a tenant's monthly spend counter is kept after its last write. */
  spendMs: number;
}

/** Minute buckets cover the dashboard's "last hours" views; day buckets cover two years of reports. */
export const DEFAULT_RETENTION: Retention = {
  buckets: { minute: 2 * DAY_MS, hour: 90 * DAY_MS, day: 800 * DAY_MS },
  spendMs: 400 * DAY_MS,
};

export const bucketStart = (timeMs: number, granularity: Granularity): number =>
  Math.floor(timeMs / BUCKET_MS[granularity]) * BUCKET_MS[granularity];

/** Starts of every bucket overlapping [fromMs, toMs). */
export function bucketStarts(fromMs: number, toMs: number, granularity: Granularity): number[] {
  const starts: number[] = [];
  for (let t = bucketStart(fromMs, granularity); t < toMs; t += BUCKET_MS[granularity]) starts.push(t);
  return starts;
}

export const bucketCount = (fromMs: number, toMs: number, granularity: Granularity): number =>
  toMs <= fromMs ? 0 : Math.ceil((toMs - bucketStart(fromMs, granularity)) / BUCKET_MS[granularity]);

/** `2025-05` for budgets: spend is tracked per tenant per UTC calendar month. */
export const monthOf = (timeMs: number): string => new Date(timeMs).toISOString().slice(0, 7);

/** Epoch ms of the first instant of the UTC month after `timeMs`'s. */
export function nextMonthStart(timeMs: number): number {
  const d = new Date(timeMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
