/**
 * A policy file saved as `.yml` — `budgets.yml`, `context.yml` — is never read: the gateway reads
 * `budgets.yaml`. For an optional file that silently meant no budgets at all. The gateway now warns
 * (the log at start-up, `GET /admin/policies` `warnings`), and so does `policy check`.
 */
import { expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { fakeCloudGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";
const BUDGETS = "version: 1\ndefault: { monthly_usd: 0.000001, action: deny }\n";

const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_ADMIN_KEY: ADMIN }, files: { "budgets.yml": BUDGETS } } });

const WARNING = "budgets.yml is not read: the gateway reads budgets.yaml; rename it (or remove it)";

it("warns that budgets.yml is not read, at start-up and in GET /admin/policies", async () => {
  const response = await fetch(`${cloud.gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const status = (await response.json()) as { warnings: string[] };
  expect(status.warnings).toContain(WARNING);
  expect(cloud.gw.logs.some((line) => line.includes(WARNING) && line.includes('"level":40'))).toBe(true);
});

it("warns in policy check", { timeout: 60_000 }, async () => {
  const { stderr } = await runCliProcess(["policy", "check", cloud.gw.policyDir, "--classifier", "none"]);
  expect(stderr).toContain(`warning: ${WARNING}`);
});
