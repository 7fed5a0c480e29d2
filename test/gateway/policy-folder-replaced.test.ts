/**
 * Through the gateway: when the whole policy folder is replaced (`mv new policies`, what a release
 * script or a ConfigMap swap amounts to), every replacement reaches both watches — routing.yaml goes
 * live, and budgets.yaml is read again (a broken one is counted in
 * `switchyard_policy_reload_failures_total{policy="budgets.yaml"}`, not missed in silence).
 */
import { cp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway({ gateway: { watchPolicies: true } });

async function budgetFailures(): Promise<number> {
  const text = await (await fetch(`${cloud.gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('switchyard_policy_reload_failures_total{policy="budgets.yaml"} '));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("the gateway's watches when the policy folder is replaced", { timeout: 180_000 }, () => {
  it("picks up routing.yaml and budgets.yaml from each of three folders moved over the old one", async () => {
    const dir = cloud.gw.policyDir;
    const routing = await readFile(join(dir, "routing.yaml"), "utf8");
    for (const tag of ["v2", "v3", "v4"]) {
      const version = cloud.gw.gateway.policies.version;
      const failures = await budgetFailures();
      await cp(dir, `${dir}.new`, { recursive: true });
      await writeFile(join(`${dir}.new`, "routing.yaml"), `${routing}\n# ${tag}\n`);
      await writeFile(join(`${dir}.new`, "budgets.yaml"), `version: 1\ntenants: [ broken ${tag}\n`);
      await rename(dir, `${dir}.old`);
      await rename(`${dir}.new`, dir);
      await rm(`${dir}.old`, { recursive: true, force: true });

      // Generous: the file events usually answer within the debounce, the periodic check within 5 s, and
      // each reload then runs a worker, one at a time (seconds each on a loaded machine).
      await vi.waitFor(() => expect(cloud.gw.gateway.policies.version).not.toBe(version), { timeout: 30_000, interval: 50 });
      await vi.waitFor(async () => expect(await budgetFailures()).toBeGreaterThan(failures), { timeout: 30_000, interval: 100 });
    }
  });
});
