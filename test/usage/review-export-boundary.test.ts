/**
 * A tenant's CSV export dropped records at the 7-day boundary and at the split marker: the tenant copy
 * of a record got its own `XADD *` id, so one record had different ids in the all-tenant stream and in
 * its tenant stream. A tenant's export reads the all-tenant stream up to a boundary and its own stream
 * after it, and a record whose all-tenant id was after the boundary while its copy's id was at or
 * before it was in neither read (a batch of several tenants in one millisecond: acme's copies are
 * `<ms>-0…` while its all-tenant entries are `<ms>-3…`). The copy now takes the all-tenant entry's
 * exact id; a tenant stream already ahead of that id (written another way) gets a copy that carries
 * it, and is placed by it.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { UsageRecord } from "../../src/usage/record.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { makeRecord } from "./fixtures.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const prefix = `test:${randomUUID()}:`;
const redis = new Redis(inject("redisUrl"));
afterAll(async () => {
  const keys = await redis.keys(`{${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

let stores = 0;
function newStore() {
  const clock = { now: Date.now() };
  const partial: Error[] = [];
  const store = new RedisUsageStore({ redis, prefix: `${prefix}${stores++}:`, now: () => clock.now, onPartialWrite: (error) => partial.push(error) });
  return { store, clock, partial };
}

const ms = (id: string) => Number(id.split("-")[0]);
const atOrAfter = (a: string, b: string) => {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am > bm || (am === bm && as >= bs);
};

async function exported(store: RedisUsageStore, tenant: string | undefined, fromMs: number, toMs: number): Promise<string[]> {
  const out: string[] = [];
  for await (const record of store.scanRecords({ fromMs, toMs, ...(tenant === undefined ? {} : { tenant }) })) out.push(record.requestId);
  return out;
}

/**
 * Every tenant's export holds each of its records exactly once, with the all-tenant stream read up to
 * each boundary a scan can be given: the 7-day floor (`<ms>-0`, moved by the store's clock) at every
 * millisecond of the stream's ids and around them, and the split marker at every id from the real one
 * on (every entry after the real marker has its tenant copy, so any of them could have been it).
 */
async function expectExactAtEveryBoundary(setup: ReturnType<typeof newStore>, records: readonly UsageRecord[], range: { fromMs: number; toMs: number }) {
  const { store, clock } = setup;
  const ids = (await redis.xrange(store.streamKey, "-", "+")).map(([id]) => id);
  const tenants = [...new Set(records.map((r) => r.tenant))];
  const want = (tenant: string) => records.filter((r) => r.tenant === tenant && r.time >= range.fromMs && r.time < range.toMs).map((r) => r.requestId).sort();
  const check = async (label: string) => {
    for (const tenant of tenants) expect((await exported(store, tenant, range.fromMs, range.toMs)).sort(), `${tenant}, ${label}`).toEqual(want(tenant));
  };
  const split = (await redis.get(store.splitKey)) ?? "0-0";
  const millis = [...new Set(ids.map(ms))];
  for (const m of [...millis, millis[0]! - 1, millis.at(-1)! + 1]) {
    clock.now = m + 7 * DAY;
    await check(`floor ${m}-0`);
  }
  clock.now = Date.now();
  for (const id of [split, ...ids.filter((id) => atOrAfter(id, split))]) {
    await redis.set(store.splitKey, id);
    await check(`split ${id}`);
  }
  await redis.set(store.splitKey, split);
}

describe("a tenant's export at the boundary between the all-tenant stream and its own", () => {
  it("has every record once when a batch of several tenants falls in one millisecond at the 7-day floor", async () => {
    // The first batch (it sets the split marker), then one of three tenants interleaved, as a busy
    // replica's batch holds them, wanted in one millisecond so acme's entries are several sequence
    // numbers into it. A script usually runs within one; on a loaded machine it may straddle two, so
    // a few fresh tries (every boundary is checked below either way).
    let attempt: { setup: ReturnType<typeof newStore>; now: number; records: UsageRecord[]; shared: [string, string[]][] } | undefined;
    for (let tries = 0; tries < 5; tries++) {
      const setup = newStore();
      const now = Date.now();
      const earlier = makeRecord({ tenant: "globex", time: now - 200 });
      const batch = Array.from({ length: 12 }, (_, i) => makeRecord({ tenant: ["globex", "acme", "initech"][i % 3]!, time: now - 100 + i }));
      await setup.store.append([earlier], { writer: "w1", seq: 1 });
      await setup.store.append(batch, { writer: "w1", seq: 2 });
      expect(setup.partial).toEqual([]);
      const shared = await redis.xrange(setup.store.streamKey, "-", "+");
      attempt = { setup, now, records: [earlier, ...batch], shared };
      if (new Set(shared.slice(1).map(([id]) => ms(id))).size === 1) break;
    }
    const { setup, now, records, shared } = attempt!;
    await expectExactAtEveryBoundary(setup, records, { fromMs: now - HOUR, toMs: now + 1 });

    // A copy has its record's all-tenant id.
    const acmeIds = (await redis.xrange(setup.store.tenantStreamKey("acme"), "-", "+")).map(([id]) => id);
    const sharedIdOf = new Map(shared.map(([id, fv]) => [(JSON.parse(fv[1]!) as UsageRecord).requestId, id]));
    expect(acmeIds).toEqual(records.filter((r) => r.tenant === "acme").map((r) => sharedIdOf.get(r.requestId)));
  });

  it("has every record once when the first batch with tenant streams falls in the millisecond of the last write before them", async () => {
    const setup = newStore();
    const now = Date.now();
    // The version before tenant streams wrote the all-tenant stream only; its last entries are in the
    // millisecond the first new batch runs in (the stream's last id is that millisecond's, so the new
    // batch's ids continue its sequence). Written with explicit ids to make that millisecond certain.
    const M = now + 60_000;
    const before = [makeRecord({ tenant: "acme", time: now - 30 }), makeRecord({ tenant: "globex", time: now - 20 }), makeRecord({ tenant: "acme", time: now - 10 })];
    for (const [seq, record] of before.entries()) await redis.xadd(setup.store.streamKey, `${M}-${seq}`, "r", JSON.stringify(record));
    const after = Array.from({ length: 6 }, (_, i) => makeRecord({ tenant: i % 2 ? "acme" : "globex", time: now + i }));
    await setup.store.append(after, { writer: "w1", seq: 1 });
    expect(setup.partial).toEqual([]);
    expect(await redis.get(setup.store.splitKey)).toBe(`${M}-2`);

    const range = { fromMs: now - HOUR, toMs: now + HOUR };
    expect((await exported(setup.store, "acme", range.fromMs, range.toMs)).sort()).toEqual([...before, ...after].filter((r) => r.tenant === "acme").map((r) => r.requestId).sort());
    await expectExactAtEveryBoundary(setup, [...before, ...after], range);
  });

  it("writes a record whose tenant stream is already past its id (written another way) without a failure, and exports it once", async () => {
    const setup = newStore();
    const now = Date.now();
    await setup.store.append([makeRecord({ tenant: "globex", time: now - 50 })], { writer: "w1", seq: 1 });
    // An entry another writer put in acme's stream with an id ahead of the all-tenant stream's next ones
    // (the version that gave copies ids of their own could; so could a hand-made one); its record is
    // outside the exported range.
    const last = (await redis.xrange(setup.store.streamKey, "-", "+"))[0]![0];
    await redis.xadd(setup.store.tenantStreamKey("acme"), `${ms(last) + 60_000}-0`, "r", JSON.stringify(makeRecord({ tenant: "acme", time: now - 2 * HOUR })));
    const batch = Array.from({ length: 6 }, (_, i) => makeRecord({ tenant: i % 2 ? "acme" : "globex", time: now - 10 + i }));
    await setup.store.append(batch, { writer: "w1", seq: 2 });
    expect(setup.partial).toEqual([]);
    expect(await redis.xlen(setup.store.tenantStreamKey("acme"))).toBe(1 + 3);

    const records = [...(await exported(setup.store, undefined, now - HOUR, now + 1)).entries()].length;
    expect(records).toBe(1 + 6);
    await expectExactAtEveryBoundary(setup, batch, { fromMs: now - 20, toMs: now + 1 });
  });
});
