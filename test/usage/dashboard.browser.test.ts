/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core): the page the
 * gateway serves draws the usage this test generates, and a screenshot goes to docs/ for the README.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyDigest, parseApiKeys } from "../../src/auth/api-keys.js";
import type { AppEnv } from "../../src/http/app-env.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import type { UsageRecord } from "../../src/usage/record.js";
import { dashboardRoutes } from "../../routes/dashboard.js";
import { handleError, handleNotFound } from "../../routes/errors.js";
import { usageRoutes } from "../../routes/usage.js";
import { makeRecord } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
if (!hasChromium) console.warn(`skipping the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const ADMIN_KEY = "admin-key-0123456789abcdef";
const HOUR = 3_600_000;
const INTENTS = ["code", "summarize", "chitchat", "translate", "math"] as const;

/**
 * 30 hours of traffic: more at daytime, two thirds local, a few fallbacks, errors and PII actions; cloud
 * prompts partly cached. Each hour's requests sit inside one of the page's hour buckets (the 30 past
 * whole hours, 20–29 minutes before each hour's end): spread back from `now`, a run a minute past the
 * hour split an hour's few requests across two buckets, one of them all local.
 */
function generate(now: number): UsageRecord[] {
  const records: UsageRecord[] = [];
  const hourStart = Math.floor(now / HOUR) * HOUR;
  for (let h = 0; h < 30; h++) {
    const perHour = 4 + (h % 6);
    for (let i = 0; i < perHour; i++) {
      const n = records.length;
      const local = n % 3 !== 0;
      records.push(
        makeRecord({
          tenant: n % 4 === 0 ? "globex" : "acme",
          time: hourStart - h * HOUR - 20 * 60_000 - i * 60_000,
          route: local ? "local" : "cloud",
          model: local ? "local-slm" : "gpt-4o-mini",
          intent: INTENTS[n % 7 < 3 ? 0 : n % 7 < 5 ? 1 : (n % 7) - 3]!,
          status: n % 17 === 0 ? 502 : 200,
          fallback: n % 11 === 0,
          promptTokens: 200 + (n % 50) * 20,
          cachedPromptTokens: local ? 0 : (n % 4) * 64,
          completionTokens: 100 + (n % 30) * 10,
          totalMs: 300 + (n % 20) * 150,
          ttftMs: 40 + (n % 10) * 15,
          pii: n % 5 === 0 ? [{ type: n % 10 === 0 ? "EMAIL_ADDRESS" : "PHONE_NUMBER", action: "redact", count: 1 + (n % 3) }] : [],
        }),
      );
    }
  }
  return records;
}

describe.skipIf(!hasChromium)("GET /dashboard in chromium", () => {
  const now = Date.now();
  const records = generate(now);
  /** The records inside the range the page drew (the last 24 h, widened to whole hours). */
  let lastDay: UsageRecord[] = [];
  const drawnRange = async (page: import("playwright-core").Page) => {
    const from = Date.parse((await page.getAttribute("body", "data-from"))!);
    lastDay = records.filter((r) => r.time >= from);
  };
  let server: ServerType;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    const store = new MemoryUsageStore();
    await store.append(records);
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.notFound(handleNotFound);
    app.route("/", usageRoutes({ store, auth: { keys: parseApiKeys("acme=sk-acme-123456"), adminKeyDigest: keyDigest(ADMIN_KEY) } }));
    app.route("/", dashboardRoutes());
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("draws the generated usage: spend, prompt tokens, local share, top intents, latency, fallbacks and PII, and saves a screenshot", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const external: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(url)) external.push(request.url());
    });
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      // The first load, before a key is typed, is answered 401 by design; chromium logs that.
      if (message.type() === "error" && !message.text().includes("status of 401")) consoleErrors.push(message.text());
    });

    await page.goto(`${url}/dashboard?range=24h`);
    await expect.poll(() => page.textContent("#status")).toMatch(/Could not load usage: You didn't provide an API key/);
    await page.fill("#key", ADMIN_KEY);
    await page.click("button[type=submit]");
    await page.waitForSelector("body[data-updated]");
    await drawnRange(page);

    const drawn = await page.evaluate(() => {
      const data = (name: string) => {
        const chart = (globalThis as unknown as { Chart: { getChart(c: Element): { data: { labels: unknown[]; datasets: Array<{ label: string; data: Array<number | null> }> } } } }).Chart.getChart(
          document.querySelector(`canvas[data-chart="${name}"]`)!,
        );
        return { labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) };
      };
      const kpis = Object.fromEntries([...document.querySelectorAll("[data-kpi]")].map((e) => [e.getAttribute("data-kpi"), e.textContent]));
      return { spend: data("spend"), tokens: data("tokens"), local: data("local-share"), intents: data("intents"), latency: data("latency"), fallbacks: data("fallbacks"), pii: data("pii"), kpis, status: document.querySelector("#status")!.textContent };
    });

    const sum = (values: Array<number | null>) => values.reduce<number>((s, v) => s + (v ?? 0), 0);
    const spend = Object.fromEntries(drawn.spend.datasets.map((d) => [d.label, d.data]));
    expect(sum(spend.Spend!)).toBeCloseTo(lastDay.reduce((s, r) => s + r.costUsd, 0), 6);
    expect(sum(spend.Savings!)).toBeCloseTo(lastDay.reduce((s, r) => s + r.savingsUsd, 0), 6);
    expect(drawn.spend.labels.length).toBeGreaterThanOrEqual(24);

    const tokens = Object.fromEntries(drawn.tokens.datasets.map((d) => [d.label, sum(d.data)]));
    const promptTokens = lastDay.reduce((s, r) => s + r.promptTokens, 0);
    const cachedPromptTokens = lastDay.reduce((s, r) => s + r.cachedPromptTokens, 0);
    expect(cachedPromptTokens).toBeGreaterThan(0);
    expect(tokens).toEqual({ Prompt: promptTokens, Cached: cachedPromptTokens });
    expect(drawn.kpis["prompt-tokens"]).toBe(promptTokens.toLocaleString("en-US"));
    expect(drawn.kpis["cached-prompt-tokens"]).toBe(cachedPromptTokens.toLocaleString("en-US"));

    const localShare = drawn.local.datasets[0]!.data.filter((v): v is number => v !== null);
    // Every past hour in the drawn range has traffic: 24 of them, or 23 when the page loaded just
    // after the hour turned.
    expect(localShare.length).toBeGreaterThanOrEqual(23);
    expect(localShare.every((v) => v > 0 && v < 100)).toBe(true);

    const intentCounts = new Map<string, number>();
    for (const r of lastDay) intentCounts.set(r.intent!, (intentCounts.get(r.intent!) ?? 0) + 1);
    const expectedIntents = [...intentCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(drawn.intents.labels).toEqual(expectedIntents.map(([intent]) => intent));
    expect(drawn.intents.datasets[0]!.data).toEqual(expectedIntents.map(([, count]) => count));

    expect(drawn.latency.datasets.map((d) => d.label)).toEqual(["p50", "p90", "p99", "TTFT p50"]);
    const [p50, p90, p99] = drawn.latency.datasets.map((d) => d.data);
    p50!.forEach((v, i) => {
      if (v !== null) expect(v).toBeLessThanOrEqual(p90![i]! ?? Infinity), expect(p90![i]!).toBeLessThanOrEqual(p99![i]!);
    });

    const fallbacks = Object.fromEntries(drawn.fallbacks.datasets.map((d) => [d.label, sum(d.data)]));
    expect(fallbacks).toEqual({ Fallbacks: lastDay.filter((r) => r.fallback).length, Errors: lastDay.filter((r) => r.status >= 400).length });

    const pii = new Map<string, number>();
    for (const r of lastDay) for (const p of r.pii) pii.set(`${p.type}:${p.action}`, (pii.get(`${p.type}:${p.action}`) ?? 0) + p.count);
    expect(Object.fromEntries(drawn.pii.labels.map((l, i) => [l, drawn.pii.datasets[0]!.data[i]]))).toEqual(Object.fromEntries(pii));

    expect(drawn.kpis.requests).toBe(lastDay.length.toLocaleString("en-US"));
    expect(drawn.kpis["local-share"]).toBe(`${((lastDay.filter((r) => r.route === "local").length / lastDay.length) * 100).toFixed(1)} %`);
    expect(drawn.status).toMatch(/^all tenants · hour buckets · updated/);
    expect(external).toEqual([]);
    expect(consoleErrors).toEqual([]);

    await mkdir(join(import.meta.dirname, "../../docs"), { recursive: true });
    // The README's screenshot is refreshed on request only, so a test run leaves the work tree clean.
    const screenshot = process.env.UPDATE_SCREENSHOTS === "1" ? join(import.meta.dirname, "../../docs/dashboard.png") : join(tmpdir(), "switchyard-dashboard.png");
    await page.screenshot({ path: screenshot, fullPage: true });
  });

  it("shows a tenant key only that tenant's usage", async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/dashboard?range=24h`);
    await page.fill("#key", "sk-acme-123456");
    await page.click("button[type=submit]");
    await expect.poll(() => page.textContent("#status")).toMatch(/^tenant acme/);
    await drawnRange(page);
    expect(await page.textContent('[data-kpi="requests"]')).toBe(lastDay.filter((r) => r.tenant === "acme").length.toLocaleString("en-US"));
  });
});
