/**
 * Where usage lives. A store persists raw records (capped) and the bucket counters of
 * `aggregate.ts`; interpreting the counters (totals, series, percentiles) is `query.ts`'s job, so
 * every store answers the same questions the same way.
 */
import type { BucketRef } from "./aggregate.js";
import type { UsageRecord } from "./record.js";

/** One recorder's batch: `writer` is unique per recorder, `seq` grows by one per new batch, and a retry keeps both. */
export interface BatchId {
  writer: string;
  seq: number;
}

export interface UsageStore {
  /** Which store this is, for logs and `/readyz`. */
  readonly kind: "memory" | "redis";
  /**
   * Persists a batch of records and their aggregates in one round trip; rejects when nothing was written.
   * `batch` names the batch (its writer and that writer's sequence number): a store shared over the
   * network applies a batch it was already sent once only, so a retry after a write that timed out but
   * reached the store does not count the batch twice.
   */
  append(records: readonly UsageRecord[], batch?: BatchId): Promise<void>;
  /** The counters of each bucket, in the order asked (empty for a bucket with no data). */
  readBuckets(refs: readonly BucketRef[]): Promise<Array<Map<string, number>>>;
  /**
   * Raw records that finished in [fromMs, toMs), optionally only one tenant's, page by page in the
   * order they were stored (time order, except records a replica flushed late after a Redis outage).
   */
  scanRecords(range: { fromMs: number; toMs: number; tenant?: string }): AsyncIterable<UsageRecord>;
  /**
   * The time from which `scanRecords` has every record: the record stream is capped, and records that
   * finished before this time may have been dropped to keep it so. Undefined while none has been, or
   * when the store cannot tell.
   */
  recordsKeptSince(): Promise<number | undefined>;
  /** Nano-dollars `tenant` spent in `month` (`YYYY-MM`). */
  monthSpendNanos(tenant: string, month: string): Promise<number>;
  close(): Promise<void>;
}
