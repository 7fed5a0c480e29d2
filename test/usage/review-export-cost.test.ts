/**
 * Any tenant could make a replica scan and validate the whole shared record stream on each CSV
 * export: the stream holds every tenant's records and each entry was JSON-parsed and zod-validated
 * before the tenant filter (an export with 0 rows took 4 s of CPU with 200k records of others), and
 * nothing capped concurrent exports (4 at once: 12.8 s, /healthz stalled). Entries of other tenants
 * (and outside the range) are now skipped before validation, and exports beyond a per-key and a
 * per-replica cap are refused with an OpenAI-shaped 429 and Retry-After.
 */
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keyDigest, parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { UsageRecordSchema, type UsageRecord } from "../../src/usage/record.js";
import { RedisUsageStore } from "../../src/usage/redis-store.js";
import { handleError } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { makeRecord } from "./fixtures.js";
import { usageRedisScope } from "./redis-scope.js";

const HOUR = 3_600_000;
const { redis, prefix } = usageRedisScope();
afterEach(() => {
  vi.restoreAllMocks();
});

describe("a tenant's export from the shared record stream", () => {
  it("validates only that tenant's records in the range, not every tenant's", async () => {
    const store = new RedisUsageStore({ redis, prefix });
    const now = Date.now();
    const others = Array.from({ length: 600 }, (_, i) => makeRecord({ tenant: `other-${i % 7}`, time: now - i }));
    const mine = Array.from({ length: 5 }, (_, i) => makeRecord({ tenant: "acme", time: now - 10 * i }));
    const early = makeRecord({ tenant: "acme", time: now - 2 * HOUR });
    // A tenant whose name is another's prefix, and one whose session names acme: neither is acme's.
    const lookalikes = [makeRecord({ tenant: "acme-corp", time: now }), makeRecord({ tenant: "globex", session: '"tenant":"acme"', time: now })];
    await store.append([...others.slice(0, 300), ...mine, early, ...lookalikes, ...others.slice(300)]);

    const validate = vi.spyOn(UsageRecordSchema, "safeParse");
    const found: UsageRecord[] = [];
    for await (const record of store.scanRecords({ fromMs: now - HOUR, toMs: now + 1, tenant: "acme" })) found.push(record);
    expect(found.map((r) => r.requestId)).toEqual(mine.map((r) => r.requestId));
    expect(validate.mock.calls.length).toBe(mine.length);

    // The admin's all-tenant export still sees everyone's records in the range.
    let all = 0;
    for await (const _ of store.scanRecords({ fromMs: now - HOUR, toMs: now + 1 })) all++;
    expect(all).toBe(others.length + mine.length + lookalikes.length);
  });
});

describe("per-tenant record streams", () => {
  /** The keys XRANGE was asked for, and how many entries it returned, while `run` ran. */
  async function reads(run: () => Promise<void>): Promise<{ keys: string[]; entries: number }> {
    const original = redis.xrange.bind(redis);
    const keys: string[] = [];
    let entries = 0;
    const spy = vi.spyOn(redis, "xrange").mockImplementation((async (key: string, ...rest: Array<string | number>) => {
      keys.push(key);
      const page = await (original as (...args: unknown[]) => Promise<Array<[string, string[]]>>)(key, ...rest);
      entries += page.length;
      return page;
    }) as unknown as typeof redis.xrange);
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return { keys, entries };
  }
  const collect = async (store: RedisUsageStore, range: { fromMs: number; toMs: number; tenant?: string }) => {
    const out: string[] = [];
    for await (const r of store.scanRecords(range)) out.push(r.requestId);
    return out;
  };

  it("let a tenant's export read only that tenant's records; the admin's export reads everyone's", async () => {
    const store = new RedisUsageStore({ redis, prefix: `${prefix}split:` });
    const now = Date.now();
    await store.append(Array.from({ length: 1_200 }, (_, i) => makeRecord({ tenant: `other-${i % 7}`, time: now - i })));
    const mine = Array.from({ length: 5 }, (_, i) => makeRecord({ tenant: "acme", time: now - 10 * i }));
    await store.append(mine);
    await store.append(Array.from({ length: 600 }, (_, i) => makeRecord({ tenant: `other-${i % 7}`, time: now - i })));

    let found: string[] = [];
    const tenantRead = await reads(async () => {
      found = await collect(store, { fromMs: now - HOUR, toMs: now + 1, tenant: "acme" });
    });
    expect(found).toEqual(mine.map((r) => r.requestId));
    expect(tenantRead).toEqual({ keys: [`{${prefix}split:usage}:records:t:acme`], entries: 5 });

    expect(await collect(store, { fromMs: now - HOUR, toMs: now + 1 })).toHaveLength(1_805);
    expect(await collect(store, { fromMs: now - HOUR, toMs: now + 1, tenant: "nobody" })).toEqual([]);
  });

  it("still exports records written before tenant streams existed, and those of an idle tenant's expired stream", async () => {
    let clock = Date.now();
    const store = new RedisUsageStore({ redis, prefix: `${prefix}upgrade:`, now: () => clock });
    const now = Date.now();
    // Written by the previous version: in the all-tenant stream only.
    const before = [makeRecord({ tenant: "acme", time: now - 5_000 }), makeRecord({ tenant: "globex", time: now - 5_000 })];
    for (const record of before) await redis.xadd(store.streamKey, "*", "r", JSON.stringify(record));
    const after = [makeRecord({ tenant: "acme", time: now }), makeRecord({ tenant: "globex", time: now })];
    await store.append(after);
    const acme = [before[0]!.requestId, after[0]!.requestId];

    let found: string[] = [];
    const read = await reads(async () => {
      found = await collect(store, { fromMs: now - HOUR, toMs: now + 1, tenant: "acme" });
    });
    expect(found).toEqual(acme);
    // The all-tenant stream is read only up to the upgrade; what follows comes from acme's own stream.
    expect(read.keys).toEqual([store.streamKey, store.tenantStreamKey("acme")]);
    expect(read.entries).toBe(2 + 1);

    // Eight days on, acme's stream has expired (no writes since): its records come from the shared stream.
    await redis.del(store.tenantStreamKey("acme"));
    clock += 8 * 86_400_000;
    expect(await collect(store, { fromMs: now - HOUR, toMs: now + 1, tenant: "acme" })).toEqual(acme);
    expect(await collect(store, { fromMs: now - HOUR, toMs: now + 1 })).toHaveLength(4);
  });
});

describe("concurrent CSV exports", () => {
  const ADMIN = "admin-key-0123456789abcdef";
  const ACME = "sk-acme-123456";
  const GLOBEX = "sk-globex-123456";
  const now = Date.now();

  async function app(otherKey = "sk-other-123456") {
    const store = new MemoryUsageStore();
    // More rows than one chunk, so an export that is not read stays open (and holds its slot).
    await store.append(Array.from({ length: 1_000 }, (_, i) => makeRecord({ tenant: i % 2 ? "acme" : "globex", time: now - 1_000 - i })));
    const hono = new Hono<AppEnv>();
    hono.onError(handleError);
    hono.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(`acme=${ACME},globex=${GLOBEX},initech=${otherKey}`), adminKeyDigest: keyDigest(ADMIN) }, now: () => now }));
    return (key: string) => hono.request("/v1/usage/export", { headers: { authorization: `Bearer ${key}` } });
  }

  const refused = async (response: Response) => {
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await response.json()) as { error: { type: string; code: string; message: string; param: unknown } };
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "too_many_exports", param: null });
  };

  it("refuses a second export of the same key and a third tenant's on the replica with a 429, until one ends", async () => {
    const exportAs = await app("sk-initech-123456");
    const acme = await exportAs(ACME);
    expect(acme.status).toBe(200);
    await refused(await exportAs(ACME));
    const globex = await exportAs(GLOBEX);
    expect(globex.status).toBe(200);
    await refused(await exportAs("sk-initech-123456"));

    // Two tenants' exports left unread hold the replica's slots for up to ten minutes: the admin's
    // export (finance's) still runs, one at a time.
    const adminWhileFull = await exportAs(ADMIN);
    expect(adminWhileFull.status).toBe(200);
    await refused(await exportAs(ADMIN));
    await adminWhileFull.body!.cancel();

    // Read to the end: the slot is given back.
    const rows = (await acme.text()).trim().split("\r\n");
    expect(rows).toHaveLength(1 + 500);
    const again = await exportAs(ACME);
    expect(again.status).toBe(200);
    await again.body!.cancel();
    // A client that leaves (the body cancelled) gives its slot back too.
    await globex.body!.cancel();
    const admin = await exportAs(ADMIN);
    expect(admin.status).toBe(200);
    expect((await admin.text()).trim().split("\r\n")).toHaveLength(1 + 1_000);
  });
});
