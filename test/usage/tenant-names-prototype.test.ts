/**
 * Tenant (and model, intent) names are data, not property names: a tenant called `constructor`,
 * `toString`, `hasOwnProperty` or `__proto__` (any text is a valid tenant, README) got no budget — the
 * lookup found `Object.prototype`'s member instead of falling back to budgets.yaml's `default` — and
 * vanished from a usage report's per-bucket groups.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { BudgetGuard } from "../../src/usage/budgets/guard.js";
import { parseBudgetPolicy } from "../../src/usage/budgets/load.js";
import { budgetRuleFor } from "../../src/usage/budgets/schema.js";
import { MemoryUsageStore } from "../../src/usage/memory-store.js";
import { parseUsageQuery, queryUsage } from "../../src/usage/query.js";
import { makeRecord } from "./fixtures.js";

const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "__defineGetter__", "isPrototypeOf"];
const policy = parseBudgetPolicy("budgets.yaml", "version: 1\ndefault: { monthly_usd: 1, action: deny }\ntenants:\n  acme: { monthly_usd: 5, action: force_local }\n");

describe("tenants named like Object.prototype members", () => {
  it.each(NAMES)("%s gets the default budget", (tenant) => {
    expect(budgetRuleFor(policy, tenant)).toEqual({ monthly_usd: 1, action: "deny" });
  });

  it("are over the default budget once it is spent, like any other tenant", async () => {
    const store = { monthSpendNanos: async () => 5_000_000_000 } as unknown as ConstructorParameters<typeof BudgetGuard>[0]["store"];
    const guard = new BudgetGuard({ store, policy });
    for (const tenant of ["globex", ...NAMES]) {
      expect(await guard.status(tenant), tenant).toMatchObject({ exceeded: true, limitUsd: 1, action: "deny" });
    }
  });

  it("a budgets.yaml entry for a tenant named like a prototype member is that tenant's own", () => {
    const own = parseBudgetPolicy("budgets.yaml", "version: 1\ntenants:\n  constructor: { monthly_usd: 3, action: deny }\n");
    expect(budgetRuleFor(own, "constructor")).toEqual({ monthly_usd: 3, action: "deny" });
    expect(budgetRuleFor(own, "toString")).toBeUndefined();
  });

  it("a budgets.yaml entry for __proto__ (which the file's parser cannot keep) is an error, not a budget silently dropped", () => {
    let problems: string[] = [];
    try {
      parseBudgetPolicy("budgets.yaml", "version: 1\ntenants:\n  __proto__: { monthly_usd: 3, action: deny }\n");
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems).toEqual([expect.stringMatching(/^budgets\.yaml:3:3: '__proto__' cannot be a key in a policy file/)]);
  });

  it("keeps its own group in every bucket of a usage report", async () => {
    const now = Date.now();
    const store = new MemoryUsageStore({ now: () => now });
    await store.append(NAMES.map((tenant, i) => makeRecord({ time: now - 1000 * (i + 1), tenant })));
    const report = await queryUsage(store, parseUsageQuery({ from: new Date(now - 3_600_000).toISOString(), to: new Date(now).toISOString(), granularity: "hour", group_by: "key" }, now));
    expect(report.groups.map((g) => g.key).sort()).toEqual([...NAMES].sort());
    const inSeries = report.series.flatMap((point) => Object.keys(JSON.parse(JSON.stringify(point.groups ?? {})) as object));
    expect(inSeries.sort()).toEqual([...NAMES].sort());
  });
});
