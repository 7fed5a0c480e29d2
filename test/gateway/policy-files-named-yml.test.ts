/**
 * A policy file saved as `.yml` — `budgets.yml`, `context.yml` — is never read: the gateway reads
 * `budgets.yaml`. For an optional file that silently meant no budgets at all. The gateway now warns
 * (the log at start-up, `GET /admin/policies` `warnings`), and so does `policy check`. The warning
 * follows the folder while the gateway runs: a rename drops it at the next reload (which changes no
 * policy version), and a `.yml` file written into the folder is warned about at the next reload.
 */
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { fakeCloudGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";
const BUDGETS = "version: 1\ndefault: { monthly_usd: 0.000001, action: deny }\n";

// No periodic check: only file events reload, as on a local disk.
const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_ADMIN_KEY: ADMIN, SWITCHYARD_POLICY_POLL_MS: "0" }, files: { "budgets.yml": BUDGETS }, watchPolicies: true } });

const WARNING = "budgets.yml is not read: the gateway reads budgets.yaml; rename it (or remove it)";

const warnings = async (): Promise<string[]> =>
  ((await (await fetch(`${cloud.gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { warnings: string[] }).warnings;

it("warns that budgets.yml is not read, at start-up and in GET /admin/policies", async () => {
  expect(await warnings()).toContain(WARNING);
  expect(cloud.gw.logs.some((line) => line.includes(WARNING) && line.includes('"level":40'))).toBe(true);
});

it("warns in policy check", { timeout: 60_000 }, async () => {
  const { stderr } = await runCliProcess(["policy", "check", cloud.gw.policyDir, "--classifier", "none"]);
  expect(stderr).toContain(`warning: ${WARNING}`);
});

it("drops the warning once budgets.yml is renamed to budgets.yaml and the policy reloads", async () => {
  await rename(join(cloud.gw.policyDir, "budgets.yml"), join(cloud.gw.policyDir, "budgets.yaml"));
  const response = await fetch(`${cloud.gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  expect(response.status).toBe(200);
  expect(await warnings()).not.toContain(WARNING);
});

it("warns about a context.yml written while the gateway runs, once the policy reloads", async () => {
  // `.yml` names are not watched (each save would reload, and report an invalid routing.yaml, again):
  // the next reload, from any cause, looks at the folder again.
  const warning = "context.yml is not read: the gateway reads context.yaml; rename it (or remove it)";
  expect(await warnings()).not.toContain(warning);
  await writeFile(join(cloud.gw.policyDir, "context.yml"), "{}\n");
  const response = await fetch(`${cloud.gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  expect(response.status).toBe(200);
  expect(await warnings()).toContain(warning);
});
