/**
 * While routing.yaml is invalid on disk, the file watch must not report it again for every other
 * file written into the policy folder: an editor's swap or backup file (vim writes `.routing.yaml.swp`
 * every few seconds while the operator types the fix), budgets.yaml (which reloads on its own), a
 * README. Each used to reload routing.yaml, log "routing policy reload failed" at error once more and
 * count another failure in `reloadFailures` and `switchyard_policy_reload_failures_total`, for one
 * invalid save.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { until } from "../support/until.js";

const ADMIN = "admin-key-0123456789abcdef";
/** Invalid: a target no model has (the model id is in the problem reported). */
const BROKEN = (model: string) => `version: 1\ndefault: { route: ${model} }\n`;

// No periodic check: only file events reload, as on a local disk.
const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_ADMIN_KEY: ADMIN, SWITCHYARD_POLICY_POLL_MS: "0" }, watchPolicies: true } });

interface Status {
  reloadFailures: number;
  lastError: { message: string } | null;
}
const status = async (): Promise<Status> => (await (await fetch(`${cloud.gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Status;
const failureLogs = () => cloud.gw.logs.filter((line) => line.includes("routing policy reload failed")).length;

it("reports an invalid routing.yaml once per edit of it, not again for each other file written beside it", { timeout: 60_000 }, async () => {
  const routing = join(cloud.gw.policyDir, "routing.yaml");
  const original = await readFile(routing, "utf8");
  try {
    await writeFile(routing, BROKEN("first-save-model"));
    await until(async () => (await status()).lastError?.message.includes("first-save-model") === true);
    const failures = (await status()).reloadFailures;
    const logged = failureLogs();

    // What an editor and a deploy write beside it while the operator fixes the file.
    await writeFile(join(cloud.gw.policyDir, ".routing.yaml.swp"), "swap 1");
    await writeFile(join(cloud.gw.policyDir, "routing.yaml~"), original);
    const budgets = join(cloud.gw.policyDir, "budgets.yaml");
    await writeFile(budgets, `${await readFile(budgets, "utf8")}\n# touched\n`);
    // A policy file saved as `.yml` (warned about at the next reload), then saved again.
    await writeFile(join(cloud.gw.policyDir, "budgets.yml"), "version: 1\n");
    await sleep(400);
    await writeFile(join(cloud.gw.policyDir, "budgets.yml"), "version: 1\ntenants: {}\n");
    // Past the watch's debounce (250 ms), so a reload these events caused has run before the next save.
    await sleep(1_000);

    // The next save of routing.yaml, still invalid, is the one further failure.
    await writeFile(routing, BROKEN("second-save-model"));
    await until(async () => (await status()).lastError?.message.includes("second-save-model") === true);
    expect((await status()).reloadFailures).toBe(failures + 1);
    expect(failureLogs()).toBe(logged + 1);
  } finally {
    await writeFile(routing, original);
  }
});
