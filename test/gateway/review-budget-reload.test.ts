/**
 * Budget reloads run one at a time, in call order: a slow reload (an older read of budgets.yaml)
 * that finishes after a later one must not put the older budgets back in force.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BudgetPolicy } from "../../src/usage/budgets/schema.js";
import type { Usage } from "../../src/usage/create-usage.js";

const loads = vi.hoisted(() => ({ next: [] as Array<() => Promise<unknown>>, usage: undefined as unknown }));

vi.mock("../../src/usage/budgets/load.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/usage/budgets/load.js")>();
  return {
    ...actual,
    reloadBudgetPolicy: (file: string, options: { loaded: boolean }) => loads.next.shift()?.() ?? actual.reloadBudgetPolicy(file, options),
  };
});
vi.mock("../../src/usage/create-usage.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/usage/create-usage.js")>();
  return {
    ...actual,
    createUsage: (options: Parameters<typeof actual.createUsage>[0]) => (loads.usage = actual.createUsage(options)),
  };
});

const { createGateway } = await import("../../src/app.js");
const { loadGatewayConfig } = await import("../../src/config/load.js");
const { createLogger } = await import("../../src/logging.js");
const { testModelsYaml, writePolicyDir } = await import("../support/gateway.js");
const { Writable } = await import("node:stream");

const marker = (name: string) => ({ marker: name }) as unknown as BudgetPolicy;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("review: budget reloads", () => {
  it("apply in the order they started, so an older read never wins", async () => {
    const policyDir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }) });
    const config = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: policyDir, FAKE_CLOUD_KEY: "k", LOG_LEVEL: "silent" }, process.cwd());
    const log = createLogger("silent", new Writable({ write: (_c, _e, done) => done() }));
    const gateway = await createGateway(config, { log, watchPolicies: false });
    close = () => gateway.close();
    const usage = loads.usage as Usage;
    const applied: unknown[] = [];
    const setPolicy = usage.budgets.setPolicy.bind(usage.budgets);
    usage.budgets.setPolicy = (policy) => {
      applied.push((policy as unknown as { marker?: string }).marker);
      setPolicy(policy);
    };

    // The first reload reads the old file slowly; the second (started later) reads the new one fast.
    let finishOld!: () => void;
    loads.next.push(() => new Promise((resolve) => (finishOld = () => resolve(marker("old")))));
    loads.next.push(async () => marker("new"));
    const first = gateway.reloadPolicies();
    const second = gateway.reloadPolicies();
    // Give the later read time to start and finish (unserialised, it does; serialised, it waits).
    await vi.waitFor(() => expect(loads.next).toHaveLength(0), { timeout: 1_500 }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    finishOld();
    await Promise.all([first, second]);
    expect(applied).toEqual(["old", "new"]);
  });
});
