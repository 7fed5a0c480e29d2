/**
 * `GET /v1/usage` (totals and a time series of usage and cost) and `GET /v1/usage/export` (the raw
 * records as CSV). Each answers from its own auth (see `src/usage/viewer.ts`): a tenant's key reads
 * its own usage, the admin key reads every tenant's.
 */
import { Hono } from "hono";
import type { AppEnv } from "../src/http/app-env.js";
import { csvHeader, recordToCsv } from "../src/usage/csv.js";
import { DEFAULT_MAX_EXPORT_HOLD_MS, ExportSlots, type ExportSlotsOptions } from "../src/usage/export-slots.js";
import { parseUsageExportQuery, parseUsageQuery, queryUsage, refuseDroppedRecords, singleValued } from "../src/usage/query.js";
import type { UsageRecord } from "../src/usage/record.js";
import type { UsageStore } from "../src/usage/store.js";
import { resolveViewer, scopeFor, type ViewerAuth } from "../src/usage/viewer.js";

export interface UsageRoutesDeps {
  store: UsageStore;
  auth: ViewerAuth;
  now?: () => number;
  /** Caps on concurrent CSV exports (default: 2 per replica, 1 per tenant or admin key); beyond them, a 429. */
  exports?: ExportSlotsOptions;
}

/** Rows per chunk of the CSV stream: large enough to keep writes few, small enough to start fast. */
const ROWS_PER_CHUNK = 200;

/** The admin key's export slots: outside the replica's cap, so tenants' exports cannot lock finance out. */
const ADMIN_VIEWER = "admin";

export function usageRoutes(deps: UsageRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const now = deps.now ?? Date.now;
  const exportSlots = new ExportSlots({ ...deps.exports, uncappedViewer: ADMIN_VIEWER });

  app.get("/v1/usage", async (c) => {
    const viewer = resolveViewer(deps.auth, c.req.header("authorization"));
    const query = parseUsageQuery(singleValued(c.req.queries()), now());
    const scoped = { ...query, tenant: scopeFor(viewer, query.tenant) };
    // A store that cannot be read throws usageStoreUnavailable (503); anything else is the gateway's bug (500).
    const report = await queryUsage(deps.store, scoped);
    return c.json(report, 200, { "cache-control": "no-store" });
  });

  app.get("/v1/usage/export", async (c) => {
    const viewer = resolveViewer(deps.auth, c.req.header("authorization"));
    const query = parseUsageExportQuery(singleValued(c.req.queries()), now());
    const tenant = scopeFor(viewer, query.tenant);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const headers = {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": `attachment; filename="switchyard-usage-${day(query.fromMs)}-${day(query.toMs)}.csv"`,
      "cache-control": "no-store",
    };
    // Hono answers HEAD by running this handler and dropping the body it returns: a body nobody reads,
    // errors or cancels. HEAD gets the headers (after the same auth and parameter checks) and neither
    // takes a slot nor reads the store.
    if (c.req.method === "HEAD") return new Response(null, { headers });
    refuseDroppedRecords(query, await deps.store.recordsKeptSince());

    const log = c.get("log");
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    let ended = false;
    let expired = false;
    // Past the slot's maximum hold time: the slot is already given back; stop reading and fail the
    // body, so the client sees a cut-off response rather than a file that looks complete.
    const stopExpired = (stream: ReadableStreamDefaultController<Uint8Array>) => {
      ended = true;
      stream.error(new Error("usage export exceeded its maximum duration"));
      void records.return?.()?.catch(() => {});
    };
    const expire = () => {
      expired = true;
      log?.warn({ maxHoldMs: deps.exports?.maxHoldMs ?? DEFAULT_MAX_EXPORT_HOLD_MS }, "usage export exceeded its maximum duration; stopped");
      if (controller && !ended) stopExpired(controller);
    };
    const release = exportSlots.acquire(viewer.kind === "admin" ? ADMIN_VIEWER : `t:${viewer.tenant}`, expire);
    const records = deps.store.scanRecords({ fromMs: query.fromMs, toMs: query.toMs, ...(tenant === undefined ? {} : { tenant }) })[Symbol.asyncIterator]();
    // Read the first record before answering, so an unreachable store is a clean 503, not a cut-off file.
    let first: IteratorResult<UsageRecord>;
    try {
      first = await records.next();
    } catch (error) {
      release();
      throw error;
    }
    const encoder = new TextEncoder();
    let pending: IteratorResult<UsageRecord> | undefined = first;
    let headerSent = false;
    // The slot is held until the body ends: finished, failed, or cancelled (@hono/node-server cancels
    // it when the connection closes before the end: a client that left), and at most maxHoldMs.
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        if (expired) stopExpired(c);
      },
      async pull(controller) {
        let text = headerSent ? "" : csvHeader();
        headerSent = true;
        try {
          for (let rows = 0; rows < ROWS_PER_CHUNK; rows++) {
            const next: IteratorResult<UsageRecord> = pending ?? (await records.next());
            pending = undefined;
            // Stopped while this chunk was read (maximum hold time, or cancelled): nothing more to write.
            if (ended) return;
            if (next.done) {
              ended = true;
              release();
              if (text) controller.enqueue(encoder.encode(text));
              controller.close();
              return;
            }
            text += recordToCsv(next.value);
          }
          controller.enqueue(encoder.encode(text));
        } catch (error) {
          release();
          if (ended) return;
          ended = true;
          log?.error({ err: error }, "usage export failed mid-stream");
          controller.error(error);
        }
      },
      async cancel() {
        ended = true;
        release();
        await records.return?.();
      },
    });
    return new Response(body, { headers });
  });

  return app;
}
