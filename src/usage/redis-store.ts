/**
 * Usage in Redis, shared by every gateway replica: a capped stream of raw records (`XADD MAXLEN ~`)
 * for all-tenant exports and a copy per tenant (so a tenant's export reads only its own records),
 * plus the bucket counters of `aggregate.ts` in hashes, and one spend hash per month for budgets.
 *
 * Every key carries the same hash tag (`{<prefix>usage}`), so on Redis Cluster they live in one slot
 * and a batch is one script (`EVALSHA`), run by Redis as one step. The script is the batch's guard
 * against counting it twice: a write the client gave up on (its command timeout while Redis stalled,
 * a connection lost after the command left) may still run, and the recorder then sends the same batch
 * again. Each batch is named by its recorder (`writer`) and that recorder's sequence number; the
 * script keeps the last sequence it applied per writer and skips a batch it has already applied.
 *
 * A command that fails inside the script (WRONGTYPE on a key something else wrote) fails alone and
 * the rest of the batch is applied, as in a MULTI. Such a batch counts as written — retrying it would
 * add its records and counters again on every attempt — and the failure goes to `onPartialWrite`.
 * Usage data is small (it is bounded by the retention), so one slot holding it all is not a hot spot
 * worth splitting.
 */
import type { Cluster, Redis } from "ioredis";
import { refusedOnItsOwn } from "../context/redis-health.js";
import { usageStoreUnavailable } from "../errors.js";
import { bucketId, aggregateBatch, type BucketRef } from "./aggregate.js";
import { DEFAULT_RETENTION, type Retention } from "./buckets.js";
import { UsageRecordSchema, type UsageRecord } from "./record.js";
import type { BatchId, UsageStore } from "./store.js";

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
  /** Clock deciding which part of a tenant's export its own stream can hold (tests). */
  now?: () => number;
  /** Called for a stream entry that does not parse as a record (written by an incompatible version). */
  onInvalidRecord?: (entryId: string, problem: string) => void;
  /** Called for a batch Redis applied except `failed` commands (the first error given); default: ignored, like invalid records. */
  onPartialWrite?: (error: Error, failed: number) => void;
}

const SCAN_PAGE = 500;

/**
 * A tenant's stream expires this long after its last write; an export reads the tenant's stream only
 * for entries newer than `TENANT_STREAM_READ_MS` ago (a day less: margin for clock skew between
 * gateway and Redis), which an expired stream cannot hold, and the all-tenant stream before that.
 */
const TENANT_STREAM_TTL_MS = 8 * 86_400_000;
const TENANT_STREAM_READ_MS = 7 * 86_400_000;

/** How long Redis remembers a writer's last batch after its last write: far longer than any retry. */
const WRITER_TTL_MS = 7 * 86_400_000;

/**
 * Applies one batch unless its writer's sequence says it was applied already. KEYS[1] holds the
 * writer's last applied sequence (absent: none); ARGV[1] is the batch's sequence (-1: unnamed, always
 * applied), ARGV[2] the writer key's lifetime, then the batch's commands, each an opcode, the index of
 * its key in KEYS and its arguments: `x` XADD to the all-tenant stream (max length, record JSON, index
 * of the record's tenant stream) and the tenant copy under the same id (no length cap of its own: `t`
 * trims it to the all-tenant stream's reach, so a tenant's export has every record the shared bound
 * promises; a cap per copy trimmed other nodes than the shared stream's and dropped some it kept), `h` HINCRBY (field, amount),
 * `a` PEXPIREAT (ms), `e` PEXPIRE (ms), `m` sets the split marker unless it exists (index of the
 * all-tenant stream: the marker is its last id, the last entry not also in a tenant stream), `t`
 * trims a tenant stream to the all-tenant stream's oldest id (index of the all-tenant stream).
 *
 * A record's tenant copy takes the all-tenant entry's exact id, so an id boundary (the split marker,
 * the 7-day floor) puts a record on the same side in both streams: an export reading the all-tenant
 * stream up to it and the tenant stream after it sees every record once. (With ids of its own, a copy
 * could fall at or before a boundary its all-tenant entry is after — many records in one millisecond,
 * the split set in the millisecond of the first batch — and be read from neither.) The copy cannot
 * collide: all-tenant ids only grow and a tenant stream holds only copies of them, so its last id is
 * below the new one. Should a tenant stream hold a later id anyway (entries written by the version
 * that gave copies ids of their own, by hand, or after the all-tenant stream was deleted and the clock
 * is behind), the copy gets a new id (`*`, above the stream's last) and its all-tenant id in field `s`,
 * by which an export places it at a boundary instead of by its own id.
 *
 * The guard is written first, with `redis.call`: a Redis refusing
 * writes (OOM) fails the whole script before any counter moved, and the recorder retries. Returns
 * {applied, failed commands, first error}.
 */
const APPEND_SCRIPT = `
pcall(redis.replicate_commands)
local seq = tonumber(ARGV[1])
if seq >= 0 then
  local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
  if seq <= last then return {0, 0, ''} end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
local failed, first = 0, ''
local function run(...)
  local reply = redis.pcall(...)
  if type(reply) == 'table' and reply.err then
    failed = failed + 1
    if first == '' then first = reply.err end
    return nil
  end
  return reply
end
local i = 3
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
  if op == 'x' then
    local id = run('XADD', key, 'MAXLEN', '~', ARGV[i + 2], '*', 'r', ARGV[i + 3])
    local copy = KEYS[tonumber(ARGV[i + 4])]
    if id then
      local reply = redis.pcall('XADD', copy, id, 'r', ARGV[i + 3])
      if type(reply) == 'table' and reply.err then run('XADD', copy, '*', 'r', ARGV[i + 3], 's', id) end
    else
      run('XADD', copy, '*', 'r', ARGV[i + 3])
    end
    i = i + 5
  elseif op == 'h' then run('HINCRBY', key, ARGV[i + 2], ARGV[i + 3]); i = i + 4
  elseif op == 'a' then run('PEXPIREAT', key, ARGV[i + 2]); i = i + 3
  elseif op == 'm' then
    if redis.call('EXISTS', key) == 0 then
      local last = run('XREVRANGE', KEYS[tonumber(ARGV[i + 2])], '+', '-', 'COUNT', 1)
      if last then run('SET', key, last[1] and last[1][1] or '0-0') end
    end
    i = i + 3
  elseif op == 't' then
    local oldest = run('XRANGE', KEYS[tonumber(ARGV[i + 2])], '-', '+', 'COUNT', 1)
    if oldest and oldest[1] then run('XTRIM', key, 'MINID', '~', oldest[1][1]) end
    i = i + 3
  else run('PEXPIRE', key, ARGV[i + 2]); i = i + 3 end
end
return {1, failed, first}
`;

type AppendReply = [applied: number, failed: number, firstError: string];
type ScriptClient = { usageAppend(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<AppendReply> };

/** The largest sequence part of a stream id. */
const MAX_SEQ = "18446744073709551615";

const STREAM_ID = /^\d+-\d+$/;

/** Orders two complete stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/** The value of `name` in a stream entry's flat field/value list. */
function field(fieldValues: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fieldValues.length; i += 2) if (fieldValues[i] === name) return fieldValues[i + 1];
  return undefined;
}

/** The hash tag every usage key starts with: one Cluster slot for all of them. */
const usageTag = (prefix = "switchyard:") => `{${prefix}usage}`;

/**
 * A health check for the usage store's connection that Redis refuses as it refuses usage batches: a
 * PEXPIRE of a key that never exists (no effect, never needs memory), in the usage keys' slot and
 * prefix so an ACL that allows the batches allows it. A PING is answered by a read-only replica
 * (after a failover) or a cluster without quorum, which refuse every batch.
 *
 * @example
 * watchRedisHealth(redis, { intervalMs: 2000, probe: usageHealthProbe(redis, "switchyard:") });
 */
export const usageHealthProbe = (redis: Redis | Cluster, prefix?: string) => () => redis.pexpire(`${usageTag(prefix)}:health-probe`, 1);

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
  private readonly now: () => number;
  private readonly onPartialWrite: (error: Error, failed: number) => void;

  constructor(options: RedisUsageStoreOptions) {
    this.redis = options.redis;
    this.tag = usageTag(options.prefix);
    this.maxRecords = options.maxRecords ?? 200_000;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.maxRecordLagMs = options.maxRecordLagMs ?? 15 * 60_000;
    this.onInvalidRecord = options.onInvalidRecord ?? (() => {});
    this.onPartialWrite = options.onPartialWrite ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  get streamKey(): string {
    return `${this.tag}:records`;
  }

  /** One tenant's copy of its records, so its exports read only its own (same hash tag: same slot). */
  tenantStreamKey(tenant: string): string {
    return `${this.tag}:records:t:${tenant}`;
  }

  /** The last all-tenant stream id written before tenant streams existed (the upgrade). */
  get splitKey(): string {
    return `${this.tag}:records:split`;
  }

  bucketKey(ref: BucketRef): string {
    return `${this.tag}:agg:${bucketId(ref)}`;
  }

  spendKey(month: string): string {
    return `${this.tag}:spend:${month}`;
  }

  async append(records: readonly UsageRecord[], batch?: BatchId): Promise<void> {
    if (records.length === 0) return;
    const increments = aggregateBatch(records);
    const keys: string[] = [batch ? this.writerKey(batch.writer) : this.streamKey, this.streamKey];
    const args: Array<string | number> = [batch ? batch.seq : -1, WRITER_TTL_MS];
    // Records are written to the all-tenant stream (admin exports) and to their tenant's stream.
    const splitIndex = keys.push(this.splitKey);
    args.push("m", splitIndex, 2);
    const tenantIndex = new Map<string, number>();
    for (const record of records) {
      let index = tenantIndex.get(record.tenant);
      if (index === undefined) tenantIndex.set(record.tenant, (index = keys.push(this.tenantStreamKey(record.tenant))));
      args.push("x", 2, this.maxRecords, JSON.stringify(record), index);
    }
    // A tenant's stream keeps no more than the all-tenant one (its oldest entries are trimmed alike).
    for (const index of tenantIndex.values()) args.push("t", index, 2, "e", index, TENANT_STREAM_TTL_MS);
    for (const { ref, fields } of increments.buckets.values()) {
      const index = keys.push(this.bucketKey(ref));
      for (const [name, amount] of fields) args.push("h", index, name, amount);
      // Absolute expiry: a bucket lives for its retention after it starts, however late it was written.
      args.push("a", index, ref.start + this.retention.buckets[ref.granularity]);
    }
    for (const [month, tenants] of increments.spend) {
      const index = keys.push(this.spendKey(month));
      for (const [tenant, nanos] of tenants) args.push("h", index, tenant, nanos);
      args.push("e", index, this.retention.spendMs);
    }
    // A rejection (the script refused, a timeout, a lost connection) may or may not have been applied:
    // the recorder retries the same batch, which the script applies at most once.
    const [, failed, firstError] = await this.scripts().usageAppend(keys.length, ...keys, ...args);
    if (failed > 0) this.onPartialWrite(new Error(firstError), failed);
  }

  /** The writer's last applied batch sequence (see `append`). */
  writerKey(writer: string): string {
    return `${this.tag}:writer:${writer}`;
  }

  private scripts(): ScriptClient {
    const client = this.redis as unknown as Partial<ScriptClient> & { defineCommand(name: string, definition: { lua: string }): void };
    if (client.usageAppend === undefined) client.defineCommand("usageAppend", { lua: APPEND_SCRIPT });
    return client as ScriptClient;
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

  /**
   * An admin's export (no tenant) pages the all-tenant stream. A tenant's export pages its own
   * stream, except where that cannot hold its records: entries written before tenant streams existed
   * (up to the split marker) and entries older than a tenant stream's lifetime (an idle tenant's
   * stream expires), which it reads from the all-tenant stream, skipping other tenants' entries.
   */
  async *scanRecords(range: { fromMs: number; toMs: number; tenant?: string }): AsyncIterable<UsageRecord> {
    const end = range.toMs + this.maxRecordLagMs;
    const start = Math.max(0, range.fromMs - this.maxRecordLagMs);
    if (range.tenant === undefined) {
      yield* this.scanStream(this.streamKey, String(start), String(end), range);
      return;
    }
    const split = await this.redis.get(this.splitKey).catch(unreadable);
    // Stream ids are `<ms>-<seq>`: everything up to `shared` may be in the all-tenant stream only.
    const recentFloor = `${Math.max(0, this.now() - TENANT_STREAM_READ_MS)}-0`;
    const shared = split === null ? undefined : compareIds(split, recentFloor) > 0 ? split : recentFloor;
    if (shared === undefined || compareIds(`${start}-0`, shared) <= 0) {
      yield* this.scanStream(this.streamKey, String(start), shared === undefined || compareIds(`${end}-${MAX_SEQ}`, shared) < 0 ? String(end) : shared, range);
    }
    if (shared !== undefined && compareIds(`${end}-${MAX_SEQ}`, shared) > 0) {
      yield* this.scanStream(this.tenantStreamKey(range.tenant), compareIds(`${start}-0`, shared) > 0 ? String(start) : `(${shared}`, String(end), range, shared);
    }
  }

  /**
   * Pages `key` from `from` to `to`. A tenant stream is read after the boundary `after`, up to which the
   * all-tenant stream was read: a copy whose all-tenant id (field `s`, see APPEND_SCRIPT) is at or
   * before it was read there and is skipped.
   */
  private async *scanStream(key: string, from: string, to: string, range: { fromMs: number; toMs: number; tenant?: string }, after?: string): AsyncIterable<UsageRecord> {
    let start = from;
    for (;;) {
      const page = await this.redis.xrange(key, start, to, "COUNT", SCAN_PAGE).catch(unreadable);
      for (const [id, fieldValues] of page) {
        if (after !== undefined && fieldValues.length > 2) {
          const sharedId = field(fieldValues, "s");
          if (sharedId !== undefined && STREAM_ID.test(sharedId) && compareIds(sharedId, after) <= 0) continue;
        }
        const record = this.parseEntry(id, fieldValues, range);
        if (record) yield record;
      }
      if (page.length < SCAN_PAGE) break;
      start = `(${page[page.length - 1]![0]}`;
    }
  }

  /**
   * From `XINFO STREAM`: once entries were trimmed (`entries-added` above `length`; Redis 7, older
   * servers say nothing and nothing is known), the millisecond after the first kept entry's id. Ids are
   * Redis's clock when each batch arrived, always increasing, and a record arrives after it finished, so
   * every dropped record finished by then. A record's own `time` is no bound: a replica that flushed late
   * put older times after newer ones, and a replica with a fast clock would have put the bound in the
   * future. One stream for all tenants: a tenant's copy is trimmed to the shared stream's oldest entry, so
   * its own first entry (maybe its newest record, after a quiet spell) says nothing more. An error reply
   * (an ACL without XINFO) leaves the bound unknown, as on an older server; a store that does not answer
   * is an outage.
   */
  async recordsKeptSince(): Promise<number | undefined> {
    const info = (await this.redis.xinfo("STREAM", this.streamKey).catch((error: unknown) => (refusedOnItsOwn(error) ? undefined : unreadable(error)))) as unknown[] | undefined;
    const value = (name: string) => (info && info.indexOf(name) >= 0 ? info[info.indexOf(name) + 1] : undefined);
    const added = value("entries-added");
    const length = value("length");
    if (typeof added !== "number" || typeof length !== "number" || added <= length) return undefined;
    const first = value("first-entry") as [string, string[]] | null | undefined;
    // An emptied stream: everything it held was dropped, up to its last id.
    const time = Number(String(first ? first[0] : value("last-generated-id")).split("-")[0]) + 1;
    return Number.isFinite(time) ? time : undefined;
  }

  async monthSpendNanos(tenant: string, month: string): Promise<number> {
    const value = await this.redis.hget(this.spendKey(month), tenant);
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {}

  /**
   * The entry's record if it is in `range` (time, tenant). The stream holds every tenant's records, so
   * the cheap checks come first: an entry whose JSON cannot name the tenant is skipped unparsed, one
   * of another tenant or outside the time range after a JSON parse; only the entries asked for are
   * validated (zod), which is most of the cost.
   */
  private parseEntry(id: string, fieldValues: string[], range: { fromMs: number; toMs: number; tenant?: string }): UsageRecord | undefined {
    const json = field(fieldValues, "r");
    // Records are written with JSON.stringify, so the tenant appears exactly like this (a string value
    // cannot contain it unescaped): a pre-filter only, the parsed record is checked below.
    if (range.tenant !== undefined && json !== undefined && !json.includes(`"tenant":${JSON.stringify(range.tenant)}`)) return undefined;
    let raw: unknown;
    try {
      raw = json === undefined ? undefined : JSON.parse(json);
    } catch (error) {
      this.onInvalidRecord(id, `not JSON: ${String(error)}`);
      return undefined;
    }
    if (typeof raw === "object" && raw !== null) {
      const { tenant, time } = raw as { tenant?: unknown; time?: unknown };
      if (range.tenant !== undefined && typeof tenant === "string" && tenant !== range.tenant) return undefined;
      if (typeof time === "number" && (time < range.fromMs || time >= range.toMs)) return undefined;
    }
    const parsed = UsageRecordSchema.safeParse(raw);
    if (!parsed.success) {
      this.onInvalidRecord(id, parsed.error.message);
      return undefined;
    }
    const record = parsed.data;
    return record.time >= range.fromMs && record.time < range.toMs && (range.tenant === undefined || record.tenant === range.tenant) ? record : undefined;
  }
}
