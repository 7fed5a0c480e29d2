import { serve, type ServerType } from "@hono/node-server";
import { parse as parseCsv } from "csv-parse/sync";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyDigest, parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { CSV_COLUMNS } from "../../src/usage/csv.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { createMetrics } from "../../src/usage/metrics.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { handleError, handleNotFound } from "../../routes/errors.js";
import { metricsRoutes } from "../../routes/metrics.js";
import { usageRoutes } from "../../routes/usage.js";
import { makeRecord } from "./fixtures.js";

const ADMIN_KEY = "admin-key-0123456789abcdef";
const ACME_KEY = "sk-acme-123456";
const GLOBEX_KEY = "sk-globex-123456";
const MINUTE = 60_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;

const store = new MemoryUsageStore();
const metrics = createMetrics({
  processMetrics: false,
  localQueueDepth: () => ({ local: 3 }),
  redisUp: () => true,
  usageRecorder: () => ({ buffered: 2, written: 10, dropped: 3, failedWrites: 1, lastError: "connection refused" }),
});
const records: UsageRecord[] = [
  makeRecord({ tenant: "acme", time: now - 50 * MINUTE, intent: "code", session: 'say "hi", then\nleave' }),
  makeRecord({ tenant: "acme", time: now - 40 * MINUTE, route: "local", model: "local-slm", intent: "chitchat", session: "=HYPERLINK(\"http://evil\")", pii: [{ type: "EMAIL_ADDRESS", action: "redact", count: 2 }] }),
  makeRecord({ tenant: "globex", time: now - 30 * MINUTE, status: 502, error: "upstream_error", fallback: true, completionTokens: 0, ttftMs: null }),
  makeRecord({ tenant: "globex", time: now - 3 * 86_400_000 }),
];
let server: ServerType;
let base: string;

beforeAll(async () => {
  await store.append(records);
  for (const record of records) metrics.observeRequest(record);
  metrics.observeClassifier(3.2);
  metrics.policyReloadFailed("routing.yaml");
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys(`acme=${ACME_KEY},globex=${GLOBEX_KEY}`), adminKeyDigest: keyDigest(ADMIN_KEY) }, now: () => now }));
  app.route("/", metricsRoutes({ metrics }));
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string, key?: string) => fetch(`${base}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe("GET /v1/usage", () => {
  it("shows a tenant only its own usage, by default over the last 24 hours", async () => {
    const response = await get("/v1/usage?group_by=key", ACME_KEY);
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report).toMatchObject({ object: "usage.report", tenant: "acme", granularity: "hour", group_by: "key" });
    expect(report.totals.requests).toBe(2);
    expect(report.totals.local_share).toBe(0.5);
    expect(report.totals.pii_actions).toEqual({ "EMAIL_ADDRESS:redact": 2 });
    expect(report.groups.map((g: { key: string }) => g.key)).toEqual(["acme"]);
    // 24 hours, widened to whole hour buckets.
    const from = Date.parse(report.from);
    const to = Date.parse(report.to);
    expect(from).toBeLessThanOrEqual(now - 86_400_000);
    expect(to).toBeGreaterThanOrEqual(now);
    expect(report.series).toHaveLength((to - from) / 3_600_000);
  });

  it("shows the admin every tenant, and one tenant when asked", async () => {
    const all = await (await get("/v1/usage?group_by=key&granularity=minute&from=" + new Date(now - 60 * MINUTE).toISOString(), ADMIN_KEY)).json();
    expect(all.tenant).toBeNull();
    expect(all.series).toHaveLength(60);
    expect(Object.fromEntries(all.groups.map((g: { key: string; requests: number }) => [g.key, g.requests]))).toEqual({ acme: 2, globex: 1 });
    expect(all.totals).toMatchObject({ requests: 3, errors: 1, fallbacks: 1 });
    const globex = await (await get(`/v1/usage?tenant=globex&from=${Math.floor((now - 7 * 86_400_000) / 1000)}&group_by=day`, ADMIN_KEY)).json();
    expect(globex).toMatchObject({ tenant: "globex", granularity: "hour" });
    expect(globex.totals.requests).toBe(2);
    expect(globex.groups.filter((g: { requests: number }) => g.requests > 0)).toHaveLength(2);
  });

  it("refuses another tenant's usage, a missing or wrong key, and bad parameters, in OpenAI's error shape", async () => {
    const forbidden = await get("/v1/usage?tenant=globex", ACME_KEY);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toMatchObject({ type: "permission_error", code: "tenant_forbidden", param: "tenant" });
    expect((await get("/v1/usage")).status).toBe(401);
    expect((await get("/v1/usage", "sk-wrong-key-000")).status).toBe(401);
    const badGroup = await get("/v1/usage?group_by=color", ACME_KEY);
    expect(badGroup.status).toBe(400);
    expect((await badGroup.json()).error).toMatchObject({ type: "invalid_request_error", param: "group_by" });
    const badTime = await (await get("/v1/usage?from=yesterday", ACME_KEY)).json();
    expect(badTime.error.param).toBe("from");
    const tooFine = await (await get(`/v1/usage?granularity=minute&from=${now - 1.5 * 86_400_000}`, ACME_KEY)).json();
    expect(tooFine.error.message).toMatch(/at most 2000 are allowed/);
    expect((await get(`/v1/usage?from=${now}&to=${now - 1000}`, ACME_KEY)).status).toBe(400);
    // A `from` in the future with no `to`: the message says which `to` it was compared with.
    const future = await (await get(`/v1/usage?from=${now + 86_400_000}`, ACME_KEY)).json();
    expect(future.error).toMatchObject({ param: "from", message: "'from' must be earlier than 'to' (not given: now)." });
  });
});

describe("GET /v1/usage/export", () => {
  it("streams the range's records as CSV that parses back to the same values", async () => {
    const response = await get(`/v1/usage/export?from=${new Date(now - 86_400_000).toISOString()}`, ADMIN_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="switchyard-usage-.*\.csv"/);
    const rows = parseCsv(await response.text(), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r.request_id)).toEqual(records.slice(0, 3).map((r) => r.requestId));
    const [first, second, third] = rows;
    expect(first).toMatchObject({ tenant: "acme", session: 'say "hi", then\nleave', route: "cloud", model: "gpt-4o-mini", status: "200", fallback: "false" });
    expect(Number(first!.cost_usd)).toBe(records[0]!.costUsd);
    expect(Number(first!.savings_usd)).toBe(records[0]!.savingsUsd);
    expect(first!.time).toBe(new Date(records[0]!.time).toISOString());
    // A spreadsheet must show a formula-looking session id, not run it.
    expect(second!.session).toBe("'=HYPERLINK(\"http://evil\")");
    expect(second!.pii_actions).toBe("EMAIL_ADDRESS:redact=2");
    expect(third).toMatchObject({ status: "502", error: "upstream_error", fallback: "true", ttft_ms: "" });
  });

  it("limits a tenant's export to its own records", async () => {
    const text = await (await get(`/v1/usage/export?from=${now - 7 * 86_400_000}`, GLOBEX_KEY)).text();
    const rows = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.tenant)).toEqual(["globex", "globex"]);
  });

  it("answers an empty range with just the header row", async () => {
    const text = await (await get(`/v1/usage/export?from=${now - 10 * 86_400_000}&to=${now - 9 * 86_400_000}`, ADMIN_KEY)).text();
    expect(text).toBe(`${CSV_COLUMNS.join(",")}\r\n`);
  });
});

describe("GET /metrics", () => {
  it("is Prometheus text with the request, token, cost, latency, classifier, queue, Redis, reload and PII series", async () => {
    const response = await get("/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusTextFormat(text);
    const family = (name: string) => families.find((f) => f.name === name);
    const requests = family("switchyard_requests_total")!;
    expect(requests.type).toBe("COUNTER");
    expect(requests.metrics).toContainEqual({ labels: { route: "cloud", model: "gpt-4o-mini", status: "502" }, value: "1" });
    expect(requests.metrics.reduce((s, m) => s + Number(m.value), 0)).toBe(4);
    const local = family("switchyard_cost_usd_total")!.metrics.find((m) => m.labels?.route === "local");
    expect(Number(local!.value)).toBeCloseTo(records[1]!.costUsd, 12);
    expect(family("switchyard_tokens_total")!.metrics).toContainEqual({ labels: { route: "local", model: "local-slm", kind: "completion" }, value: "500" });
    expect(family("switchyard_request_duration_seconds")!.type).toBe("HISTOGRAM");
    // The parser folds a histogram's label sets together, so its observation counts are read from the `_count` lines.
    const observations = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\d+)$`, "gm"))].reduce((s, m) => s + Number(m[1]), 0);
    expect(observations("switchyard_time_to_first_token_seconds")).toBe(3);
    expect(observations("switchyard_request_duration_seconds")).toBe(4);
    expect(observations("switchyard_classifier_duration_seconds")).toBe(1);
    expect(family("switchyard_local_queue_depth")!.metrics).toEqual([{ labels: { provider: "local" }, value: "3" }]);
    expect(family("switchyard_redis_up")!.metrics[0]!.value).toBe("1");
    expect(family("switchyard_policy_reload_failures_total")!.metrics).toEqual([{ labels: { policy: "routing.yaml" }, value: "1" }]);
    expect(family("switchyard_pii_actions_total")!.metrics).toEqual([{ labels: { type: "EMAIL_ADDRESS", action: "redact" }, value: "2" }]);
    expect(family("switchyard_fallbacks_total")!.metrics[0]!.value).toBe("1");
    expect(family("switchyard_usage_records_buffered")!.metrics[0]!.value).toBe("2");
    expect(family("switchyard_usage_records_dropped_total")!.metrics[0]!.value).toBe("3");
    expect(family("switchyard_usage_store_write_failures_total")!.metrics[0]!.value).toBe("1");
  });

  it("keeps each gateway's metrics in its own registry", async () => {
    const other = createMetrics({ processMetrics: false });
    const text = await other.render();
    expect(parsePrometheusTextFormat(text).find((f) => f.name === "switchyard_requests_total")!.metrics).toEqual([]);
  });
});
