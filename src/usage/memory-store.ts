/**
 * The embedded default: usage kept in this process (lost on restart, not shared between replicas).
 * Same layout and retention as the Redis store, so both answer queries identically.
 */
import { aggregateBatch, bucketId, type BucketRef } from "./aggregate.js";
import { DEFAULT_RETENTION, type Retention } from "./buckets.js";
import type { UsageRecord } from "./record.js";
import type { UsageStore } from "./store.js";

export interface MemoryUsageStoreOptions {
  /** Raw records kept, approximately (like the Redis store's `MAXLEN ~`): the oldest are dropped beyond it. */
  maxRecords?: number;
  retention?: Retention;
  now?: () => number;
}

const PRUNE_EVERY_MS = 60_000;

export class MemoryUsageStore implements UsageStore {
  readonly kind = "memory";
  private readonly records: UsageRecord[] = [];
  private readonly buckets = new Map<string, { ref: BucketRef; fields: Map<string, number> }>();
  private readonly spend = new Map<string, number>();
  private readonly maxRecords: number;
  private readonly retention: Retention;
  private readonly now: () => number;
  private lastPrune = 0;
  /**
   * The millisecond after the latest `time` among the records dropped to keep `maxRecords` (never past
   * the trim itself: a fast clock's record must not refuse exports up to its time). A late flush puts
   * older records after newer ones, so the first record kept is no bound.
   */
  private keptSince: number | undefined;

  constructor(options: MemoryUsageStoreOptions = {}) {
    this.maxRecords = options.maxRecords ?? 100_000;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.now = options.now ?? Date.now;
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    this.records.push(...records);
    // Dropping the oldest shifts the whole array, so do it in steps of a tenth, not on every batch.
    if (this.records.length > this.maxRecords + Math.ceil(this.maxRecords / 10)) {
      const dropped = this.records.splice(0, this.records.length - this.maxRecords);
      const latest = Math.min(this.now(), dropped.reduce((max, record) => Math.max(max, record.time), -Infinity));
      this.keptSince = Math.max(this.keptSince ?? -Infinity, latest + 1);
    }
    const increments = aggregateBatch(records);
    for (const [id, bucket] of increments.buckets) {
      const target = this.buckets.get(id) ?? { ref: bucket.ref, fields: new Map<string, number>() };
      for (const [name, amount] of bucket.fields) target.fields.set(name, (target.fields.get(name) ?? 0) + amount);
      this.buckets.set(id, target);
    }
    for (const [month, tenants] of increments.spend) {
      for (const [tenant, nanos] of tenants) this.spend.set(`${month}|${tenant}`, (this.spend.get(`${month}|${tenant}`) ?? 0) + nanos);
    }
    this.prune();
  }

  async readBuckets(refs: readonly BucketRef[]): Promise<Array<Map<string, number>>> {
    return refs.map((ref) => new Map(this.buckets.get(bucketId(ref))?.fields ?? []));
  }

  async *scanRecords(range: { fromMs: number; toMs: number; tenant?: string }): AsyncIterable<UsageRecord> {
    const matching = this.records
      .filter((r) => r.time >= range.fromMs && r.time < range.toMs && (range.tenant === undefined || r.tenant === range.tenant))
      .sort((a, b) => a.time - b.time);
    yield* matching;
  }

  async recordsKeptSince(): Promise<number | undefined> {
    return this.keptSince;
  }

  async monthSpendNanos(tenant: string, month: string): Promise<number> {
    return this.spend.get(`${month}|${tenant}`) ?? 0;
  }

  async close(): Promise<void> {}

  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    for (const [id, bucket] of this.buckets) {
      if (bucket.ref.start + this.retention.buckets[bucket.ref.granularity] < now) this.buckets.delete(id);
    }
  }
}
