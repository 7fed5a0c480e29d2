/**
 * budgets.yaml reloads parse on a worker thread (`parseBudgetsOffThread`): the same budgets or the
 * same problems as on the serving thread (the worker's limits: test/workers/run-typescript-worker).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { parseBudgetPolicy } from "../../src/usage/budgets/load.js";
import { parseBudgetsOffThread } from "../../src/usage/budgets/off-thread-parse.js";

const FILE = "policies/budgets.yaml";

async function outcome(parse: () => unknown): Promise<unknown> {
  try {
    return { value: await parse() };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems.map(formatProblem) };
    throw error;
  }
}

/** budgets.yaml with `count` tenants. */
const manyTenants = (count: number) =>
  `version: 1\ntenants:\n${Array.from({ length: count }, (_, i) => `  tenant-${i}: { monthly_usd: ${i + 1}, action: deny }\n`).join("")}`;

describe("budgets.yaml parsed on a worker thread", () => {
  it.each([
    ["valid budgets", "version: 1\ndefault: { monthly_usd: 5, action: force_local }\ntenants:\n  acme: { monthly_usd: 100, action: deny }\n"],
    ["a misspelt key and a negative budget", "version: 1\ntenants:\n  acme: { monthly_usd: -1, acton: deny }\n"],
    ["broken YAML", "version: 1\ntenants: { acme: [\n"],
    ["a file over the size limit", manyTenants(7_000)],
  ])("gives what the serving thread gives: %s", async (_label, text) => {
    const there = await outcome(() => parseBudgetsOffThread()(FILE, text));
    expect(there).toEqual(await outcome(() => parseBudgetPolicy(FILE, text)));
  });

  it("answers an unchanged file again without a worker, and starts one for an edit", async () => {
    const stopping = new AbortController();
    const parse = parseBudgetsOffThread({ signal: stopping.signal });
    const text = "version: 1\ntenants:\n  acme: { monthly_usd: 100, action: deny }\n";
    const first = await parse(FILE, text);
    // With its signal stopped, a parse that needed a worker would reject at once.
    stopping.abort(new Error("no worker may start now"));
    expect(await parse(FILE, text)).toEqual(first);
    await expect(parse(FILE, text.replace("100", "200"))).rejects.toThrow("no worker may start now");
  });
});
