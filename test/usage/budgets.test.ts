import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import { ConfigError } from "../../src/config/yaml-file.js";
import { budgetExceeded, BudgetGuard } from "../../src/usage/budgets/guard.js";
import { loadBudgetPolicy, parseBudgetPolicy } from "../../src/usage/budgets/load.js";
import { BudgetsFileSchema, NO_BUDGETS } from "../../src/usage/budgets/schema.js";
import { createUsage } from "../../src/usage/create-usage.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import type { UsageStore } from "../../src/usage/store.js";
import { MODELS, silentLog, testRegistry } from "./fixtures.js";

const dir = await mkdtemp(join(tmpdir(), "switchyard-budgets-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const policy = BudgetsFileSchema.parse({
  version: 1,
  default: { monthly_usd: 1, action: "force_local" },
  tenants: { acme: { monthly_usd: 0.01, action: "deny" } },
});

/** One gateway replica's usage stage; replicas given the same store share it as they would share Redis. */
const replica = (store: UsageStore, now?: () => number) =>
  createUsage({ registry: testRegistry(), providers: MODELS.providers, budgetPolicy: policy, log: silentLog, store, ...(now ? { now } : {}) });

/** $0.0025 per request: 1000 gpt-4o prompt tokens at $2.50/1M. */
const request = (tenant: string, requestId: string) => ({
  requestId,
  tenant,
  route: "cloud" as const,
  model: "gpt-4o",
  status: 200,
  promptTokens: 1000,
  completionTokens: 0,
  totalMs: 100,
});

describe("monthly budgets", () => {
  it("is not exceeded just below the limit and is exceeded exactly at it, before and after the records are written", async () => {
    // A fixed clock: a month boundary between recording and reading would read the new month's spend.
    const { accounting, recorder } = replica(new MemoryUsageStore(), () => Date.UTC(2025, 5, 10, 12));
    for (let i = 0; i < 3; i++) accounting.record(request("acme", `a${i}`));
    const below = await accounting.budgetStatus("acme");
    expect(below).toMatchObject({ exceeded: false, limitUsd: 0.01, action: "deny" });
    expect(below.spentUsd).toBeCloseTo(0.0075, 12);
    accounting.record(request("acme", "a3"));
    expect(await accounting.budgetStatus("acme")).toMatchObject({ exceeded: true, spentUsd: 0.01 });
    await recorder.flush();
    expect(await accounting.budgetStatus("acme")).toMatchObject({ exceeded: true, spentUsd: 0.01 });
  });

  it("applies the default rule to tenants without their own, and never limits tenants when there is none", async () => {
    const store = new MemoryUsageStore();
    expect(await new BudgetGuard({ store, policy }).status("initech")).toMatchObject({ limitUsd: 1, action: "force_local", exceeded: false });
    expect(await new BudgetGuard({ store, policy: NO_BUDGETS }).status("initech")).toMatchObject({ limitUsd: null, action: null, exceeded: false });
  });

  it("sees what another replica spent once its cached reading is older than the cache TTL", async () => {
    const store = new MemoryUsageStore();
    let now = Date.UTC(2025, 5, 10, 12);
    const clock = () => now;
    const mine = replica(store, clock);
    const other = replica(store, clock);
    expect((await mine.accounting.budgetStatus("acme")).exceeded).toBe(false);

    for (let i = 0; i < 4; i++) other.accounting.record(request("acme", `b${i}`));
    await other.recorder.flush();

    // Within the TTL the cached reading answers without a store read: the documented overshoot window.
    expect((await mine.accounting.budgetStatus("acme")).exceeded).toBe(false);
    now += 2_000;
    // A stale reading is answered at once and refreshed in the background…
    expect((await mine.accounting.budgetStatus("acme")).exceeded).toBe(false);
    await new Promise((r) => setImmediate(r));
    // …so the next request sees the other replica's spend.
    expect(await mine.accounting.budgetStatus("acme")).toMatchObject({ exceeded: true, spentUsd: 0.01 });
  });

  it("starts every tenant afresh in a new month", async () => {
    let now = Date.UTC(2025, 0, 31, 23, 59);
    const { accounting } = replica(new MemoryUsageStore(), () => now);
    for (let i = 0; i < 4; i++) accounting.record(request("acme", `c${i}`));
    expect(await accounting.budgetStatus("acme")).toMatchObject({ exceeded: true, month: "2025-01" });
    now = Date.UTC(2025, 1, 1, 0, 1);
    expect(await accounting.budgetStatus("acme")).toMatchObject({ exceeded: false, spentUsd: 0, month: "2025-02" });
  });

  it("fails open with what it knows when the store cannot be read, and reports the error", async () => {
    const store = new MemoryUsageStore();
    store.monthSpendNanos = () => Promise.reject(new Error("redis down"));
    const errors: unknown[] = [];
    const now = () => Date.UTC(2025, 5, 10, 12);
    const guard = new BudgetGuard({ store, policy, now, onError: (e) => errors.push(e) });
    guard.noteSpend("acme", 0.02, now());
    expect(await guard.status("acme")).toMatchObject({ exceeded: true });
    expect(await guard.status("globex")).toMatchObject({ exceeded: false });
    expect(errors.map(String)).toEqual(["Error: redis down", "Error: redis down"]);
  });

  it("denies with an OpenAI-shaped 429 that says how much was spent and when the budget resets", () => {
    const error = budgetExceeded(
      { tenant: "acme", month: "2025-06", exceeded: true, spentUsd: 10.004, limitUsd: 10, action: "deny", resetsAt: Date.UTC(2025, 6, 1) },
      Date.UTC(2025, 5, 30, 23, 0),
    );
    expect(error.status).toBe(429);
    expect(error.headers["retry-after"]).toBe("3600");
    expect(error.toJSON().error).toEqual({
      message: "Tenant 'acme' has spent $10.00 of its $10.00 monthly budget for 2025-06; requests are refused until the budget resets on 2025-07-01 (UTC).",
      type: "rate_limit_error",
      code: "budget_exceeded",
      param: null,
    });
  });

  it("states sub-dollar amounts to three significant digits, not as $0.00 of $0.00", () => {
    const error = budgetExceeded({ tenant: "t", month: "2025-06", exceeded: true, spentUsd: 0.00084, limitUsd: 0.0005, action: "deny", resetsAt: Date.UTC(2025, 6, 1) });
    expect(error.message).toContain("has spent $0.000840 of its $0.000500 monthly budget");
  });

  it("states amounts under a micro-dollar as plain decimals, to the nano-dollar", () => {
    const error = budgetExceeded({ tenant: "t", month: "2025-06", exceeded: true, spentUsd: 0.000000501, limitUsd: 0.0000005, action: "deny", resetsAt: Date.UTC(2025, 6, 1) });
    expect(error.message).toContain("has spent $0.000000501 of its $0.0000005 monthly budget");
  });
});

describe("budgets.yaml", () => {
  it("loads the shipped file, and treats a missing file as no budgets", async () => {
    expect(await loadBudgetPolicy(join(import.meta.dirname, "../../policies/budgets.yaml"))).toEqual(NO_BUDGETS);
    expect(await loadBudgetPolicy(join(dir, "absent.yaml"))).toEqual(NO_BUDGETS);
  });

  it("reports a bad action and a misspelt key with file:line:col", async () => {
    const file = join(dir, "budgets.yaml");
    await writeFile(file, "version: 1\ntenants:\n  acme:\n    monthly_usd: 10\n    action: throttle\n  globex:\n    monthly_usdd: 5\n    action: deny\n");
    const error = await loadBudgetPolicy(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(`${file}:5:13: tenants.acme.action: `);
    expect(message).toMatch(/budgets\.yaml:\d+:\d+: tenants\.globex: .*monthly_usdd/);
  });

  // YAML reads `0042` as the number 42: the budget was kept for tenant "42" and never applied.
  it("applies a budget to a tenant whose id looks like a number, as written", async () => {
    const keys = parseApiKeys("0042=s3cret-key-0042,1e3=s3cret-key-1e3");
    const budgets = parseBudgetPolicy("budgets.yaml", "version: 1\ntenants:\n  0042: { monthly_usd: 5, action: deny }\n  1e3: { monthly_usd: 7, action: force_local }\n");
    const guard = new BudgetGuard({ store: new MemoryUsageStore(), policy: budgets });
    const tenant = (key: string) => keys.lookup(key)?.id ?? "";
    expect(await guard.status(tenant("s3cret-key-0042"))).toMatchObject({ limitUsd: 5, action: "deny" });
    expect(await guard.status(tenant("s3cret-key-1e3"))).toMatchObject({ limitUsd: 7, action: "force_local" });
  });

  it("points a problem under a numeric-looking tenant at its own line", () => {
    const text = "version: 1\ntenants:\n  acme: { monthly_usd: 5, action: deny }\n  1234:\n    monthly_usd: 5\n    action: throttle\n";
    expect(() => parseBudgetPolicy("budgets.yaml", text)).toThrow(/^budgets\.yaml:6:13: tenants\.1234\.action: /);
  });
});
