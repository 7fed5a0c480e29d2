/**
 * `POST /admin/policies/reload` answers `changed: true` when the reload put new budgets in force, not
 * only a new routing policy: an operator who edits budgets.yaml and reloads must not read
 * `changed: false` for budgets that did go live (the policy version, which budgets.yaml is not part
 * of, stays the same). Reloading the same files again is `changed: false`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-secret-0123456789";
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
});

async function reload(): Promise<{ ok: boolean; changed: boolean; version: string }> {
  const response = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean; changed: boolean; version: string };
}

describe("POST /admin/policies/reload after an edit of budgets.yaml alone", { timeout: 60_000 }, () => {
  it("says changed: true once, then false", async () => {
    const budgetsPath = join(gw.policyDir, "budgets.yaml");
    const before = await reload();
    expect(before).toMatchObject({ ok: true, changed: false });

    const shipped = await readFile(budgetsPath, "utf8");
    await writeFile(budgetsPath, "version: 1\ntenants:\n  acme: { monthly_usd: 10, action: deny }\n");
    const edited = await reload();
    expect(edited).toEqual({ ok: true, changed: true, version: before.version });
    expect(await reload()).toMatchObject({ ok: true, changed: false });

    // The same budgets written in another order are no change.
    await writeFile(budgetsPath, "tenants:\n  acme: { action: deny, monthly_usd: 10 }\nversion: 1\n");
    expect(await reload()).toMatchObject({ ok: true, changed: false });

    await writeFile(budgetsPath, shipped);
    expect(await reload()).toMatchObject({ ok: true, changed: true });
  });
});
