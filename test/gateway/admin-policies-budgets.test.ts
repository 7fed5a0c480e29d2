/**
 * `GET /admin/policies` reports a failed reload of budgets.yaml as it reports one of routing.yaml:
 * in `lastError` (until a later load succeeds) and in `reloadFailures`, whatever triggered it. Its
 * `reloads` counts every reload that put something new in force: a new routing policy version
 * (routing.yaml, intents.yaml) and new budgets (budgets.yaml), as `reloadFailures` counts the failures
 * of all three; an edit to a file read at start-up only (pii.yaml), or no edit, is not counted.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyStatus } from "../../src/policy/store.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-secret-0123456789";
let gw: TestGateway;
let goodBudgets: string;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, waitForModels: false });
  goodBudgets = await readFile(join(gw.policyDir, "budgets.yaml"), "utf8");
});
afterAll(async () => {
  await gw?.close();
});

async function status(): Promise<PolicyStatus> {
  const response = await fetch(`${gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as PolicyStatus;
}

const BAD_BUDGETS = "version: 1\ntenants:\n  acme: { monthly_usd: 10, acton: deny }\n";

describe("GET /admin/policies and budgets.yaml", { timeout: 60_000 }, () => {
  it("shows an invalid budgets.yaml in lastError and reloadFailures, until a load succeeds", async () => {
    expect(await status()).toMatchObject({ reloadFailures: 0, lastError: null });
    const budgetsPath = join(gw.policyDir, "budgets.yaml");
    await writeFile(budgetsPath, BAD_BUDGETS);

    const reload = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(reload.status).toBe(422);
    let now = await status();
    expect(now.reloadFailures).toBe(1);
    expect(now.lastError).toMatchObject({ trigger: "admin" });
    expect(now.lastError!.problems.map((p) => p.file)).toContain(budgetsPath);
    expect(now.lastError!.message).toContain(`${budgetsPath}:3:`);

    // SIGHUP's reload too.
    await gw.gateway.reloadPolicies();
    now = await status();
    expect(now.reloadFailures).toBe(2);
    expect(now.lastError).toMatchObject({ trigger: "signal" });

    await writeFile(budgetsPath, goodBudgets);
    await gw.gateway.reloadPolicies();
    now = await status();
    expect(now.lastError).toBeNull();
    expect(now.reloadFailures).toBe(2);
  });
});

describe("GET /admin/policies reloads", { timeout: 60_000 }, () => {
  const reload = async (): Promise<{ ok: boolean; changed: boolean }> => {
    const response = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as { ok: boolean; changed: boolean };
  };
  const append = async (file: string, text: string) => writeFile(join(gw.policyDir, file), `${await readFile(join(gw.policyDir, file), "utf8")}${text}`);

  it("counts a reload of budgets.yaml that put new budgets in force", async () => {
    const before = (await status()).reloads;
    await writeFile(join(gw.policyDir, "budgets.yaml"), "version: 1\ntenants:\n  acme: { monthly_usd: 10, action: deny }\n");
    expect(await reload()).toMatchObject({ ok: true, changed: true });
    expect((await status()).reloads).toBe(before + 1);
    // SIGHUP's reload too.
    await writeFile(join(gw.policyDir, "budgets.yaml"), "version: 1\ntenants:\n  acme: { monthly_usd: 20, action: deny }\n");
    await gw.gateway.reloadPolicies();
    expect((await status()).reloads).toBe(before + 2);
  });

  it("counts a reload of intents.yaml that changed the policy version", async () => {
    const before = await status();
    await append("intents.yaml", "\n# edited\n");
    expect(await reload()).toMatchObject({ ok: true, changed: true });
    const after = await status();
    expect(after.version).not.toBe(before.version);
    expect(after.reloads).toBe(before.reloads + 1);
  });

  it("does not count a reload that changed nothing in force: nothing edited, or pii.yaml (restart only) edited", async () => {
    const before = (await status()).reloads;
    expect(await reload()).toMatchObject({ ok: true, changed: false });
    await append("pii.yaml", "\n# edited\n");
    expect(await reload()).toMatchObject({ ok: true, changed: false });
    expect((await status()).reloads).toBe(before);
  });
});
