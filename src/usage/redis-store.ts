/**
 * Usage in Redis, shared by every gateway replica: a capped stream of raw records (`XADD MAXLEN ~`)
 * plus the bucket counters of `aggregate.ts` in hashes, and one spend hash per month for budgets.
 *
 * Every key carries the same hash tag (`{<prefix>usage}`), so on Redis Cluster they live in one slot
 * and a batch is still one MULTI/EXEC. That is isolation, not all-or-nothing: a command refused while
 * queueing (EXECABORT) discards the batch, but one that fails at run time (WRONGTYPE on a key something
 * else wrote) fails alone and Redis applies the rest. Such a batch counts as written — retrying it would
 * add its records and counters again on every attempt — and the failure goes to `onPartialWrite`.
 * Usage data is small (it is bounded by the retention), so one slot holding it all is not a hot spot
 * worth splitting.
 */
import type { Cluster, Redis } from "ioredis";
import { usageStoreUnavailable } from "../errors.js";
import { bucketId, aggregateBatch, type BucketRef } from "./aggregate.js";
import { DEFAULT_RETENTION, type Retention } from "./buckets.js";
import { UsageRecordSchema, type UsageRecord } from "./record.js";
import type { UsageStore } from "./store.js";

export interface RedisUsageStoreOptions {
  /** A connected client; the composition root owns it (and quits it). */
  redis: Redis | Cluster;
  /** Prefix of every key, e.g. `switchyard:`; tests give each file its own. */
  prefix?: string;
  /** Approximate cap of the raw-record stream (trimmed with `MAXLEN ~`, so Redis trims whole nodes cheaply). */
  maxRecords?: number;
  retention?: Retention;
  /**
   * Stream ids are the time a batch reached Redis, records carry the time they finished; an export
   * scans this much either side of its range so records flushed late (Redis was down) are still found.
   */
  maxRecordLagMs?: number;
  /** Called for a stream entry that does not parse as a record (written by an incompatible version). */
  onInvalidRecord?: (entryId: string, problem: string) => void;
  /** Called for a batch Redis applied except `failed` commands (the first error given); default: ignored, like invalid records. */
  onPartialWrite?: (error: Error, failed: number) => void;
}

const SCAN_PAGE = 500;

/** Reads that fail in Redis are a store outage (503), told apart from failures of the code around them. */
const unreadable = (error: unknown): never => {
  throw usageStoreUnavailable(error);
};

export class RedisUsageStore implements UsageStore {
  readonly kind = "redis";
  private readonly redis: Redis | Cluster;
  private readonly tag: string;
  private readonly maxRecords: number;
  private readonly retention: Retention;
  private readonly maxRecordLagMs: number;
  private readonly onInvalidRecord: (entryId: string, problem: string) => void;
  private readonly onPartialWrite: (error: Error, failed: number) => void;

  constructor(options: RedisUsageStoreOptions) {
    this.redis = options.redis;
    this.tag = `{${options.prefix ?? "switchyard:"}usage}`;
    this.maxRecords = options.maxRecords ?? 200_000;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.maxRecordLagMs = options.maxRecordLagMs ?? 15 * 60_000;
    this.onInvalidRecord = options.onInvalidRecord ?? (() => {});
    this.onPartialWrite = options.onPartialWrite ?? (() => {});
  }

  get streamKey(): string {
    return `${this.tag}:records`;
  }

  bucketKey(ref: BucketRef): string {
    return `${this.tag}:agg:${bucketId(ref)}`;
  }

  spendKey(month: string): string {
    return `${this.tag}:spend:${month}`;
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const increments = aggregateBatch(records);
    const tx = this.redis.multi();
    for (const record of records) {
      tx.xadd(this.streamKey, "MAXLEN", "~", this.maxRecords, "*", "r", JSON.stringify(record));
    }
    for (const { ref, fields } of increments.buckets.values()) {
      const key = this.bucketKey(ref);
      for (const [name, amount] of fields) tx.hincrby(key, name, amount);
      // Absolute expiry: a bucket lives for its retention after it starts, however late it was written.
      tx.pexpireat(key, ref.start + this.retention.buckets[ref.granularity]);
    }
    for (const [month, tenants] of increments.spend) {
      const key = this.spendKey(month);
      for (const [tenant, nanos] of tenants) tx.hincrby(key, tenant, nanos);
      tx.pexpire(key, this.retention.spendMs);
    }
    // A rejection here (EXECABORT, connection lost before EXEC) means nothing was applied: the recorder retries.
    const results = await tx.exec();
    if (results === null) throw new Error("Redis aborted the usage transaction");
    const errors = results.flatMap(([error]) => (error ? [error] : []));
    if (errors.length > 0) this.onPartialWrite(errors[0]!, errors.length);
  }

  async readBuckets(refs: readonly BucketRef[]): Promise<Array<Map<string, number>>> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const ref of refs) pipeline.hgetall(this.bucketKey(ref));
    const results = (await pipeline.exec().catch(unreadable)) ?? [];
    return results.map(([error, value]) => {
      if (error) unreadable(error);
      const fields = new Map<string, number>();
      for (const [name, amount] of Object.entries((value ?? {}) as Record<string, string>)) fields.set(name, Number(amount));
      return fields;
    });
  }

  async *scanRecords(range: { fromMs: number; toMs: number; tenant?: string }): AsyncIterable<UsageRecord> {
    const end = String(range.toMs + this.maxRecordLagMs);
    let start = String(Math.max(0, range.fromMs - this.maxRecordLagMs));
    for (;;) {
      const page = await this.redis.xrange(this.streamKey, start, end, "COUNT", SCAN_PAGE).catch(unreadable);
      for (const [id, fieldValues] of page) {
        const record = this.parseEntry(id, fieldValues);
        if (record && record.time >= range.fromMs && record.time < range.toMs && (range.tenant === undefined || record.tenant === range.tenant)) {
          yield record;
        }
      }
      if (page.length < SCAN_PAGE) break;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  async monthSpendNanos(tenant: string, month: string): Promise<number> {
    const value = await this.redis.hget(this.spendKey(month), tenant);
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {}

  private parseEntry(id: string, fieldValues: string[]): UsageRecord | undefined {
    const json = fieldValues[fieldValues.indexOf("r") + 1];
    let raw: unknown;
    try {
      raw = json === undefined ? undefined : JSON.parse(json);
    } catch (error) {
      this.onInvalidRecord(id, `not JSON: ${String(error)}`);
      return undefined;
    }
    const parsed = UsageRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.onInvalidRecord(id, parsed.error.message);
      return undefined;
    }
    return parsed.data;
  }
}
