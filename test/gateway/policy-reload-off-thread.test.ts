/**
 * A policy reload parses the files on a worker thread, so the gateway keeps answering requests while
 * a large intents.yaml (up to its 1 MiB limit) or budgets.yaml (256 KiB) parses: on the serving
 * thread such a file held every request for the parse's whole length (~2 s for 1 MB written as one
 * flow list, ~0.5 s for budgets of 4,000 tenants).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIntents } from "../../src/policy/check-files.js";
import { parseBudgetPolicy } from "../../src/usage/budgets/load.js";
import { longestStall } from "../support/event-loop-stall.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";

const reload = (gw: TestGateway) => fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });

/** What parsing takes on this thread, in this run (the second time: the first warms the parser up). */
function timeHere(parse: () => unknown): number {
  parse();
  const started = performance.now();
  parse();
  return performance.now() - started;
}

/** The reload's status and the longest the event loop stalled while it ran. */
async function reloadStall(gw: TestGateway): Promise<{ status: number; stall: number }> {
  let status = 0;
  const stall = await longestStall(async () => {
    const response = await reload(gw);
    status = response.status;
    await response.arrayBuffer();
  });
  return { status, stall };
}

describe("a policy reload off the serving thread", { timeout: 60_000 }, () => {
  let fake: FakeOpenAI;
  let gw: TestGateway;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), env: { SWITCHYARD_ADMIN_KEY: ADMIN } });
  });
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  it("does not hold the event loop while a large intents.yaml parses, and takes the file", async () => {
    const path = join(gw.policyDir, "intents.yaml");
    const examples = Array.from({ length: 40_000 }, (_, i) => `bulk example ${i}`).join(", ");
    const large = (await readFile(path, "utf8")).replace(
      /^intents:\n/m,
      `intents:\n  bulk_examples:\n    route: local\n    description: many examples in one flow list\n    examples: [${examples}]\n`,
    );
    expect(large.length).toBeGreaterThan(700_000);
    const parseHere = timeHere(() => parseIntents(path, large));

    const versionBefore = gw.gateway.policies.version;
    // A reload's own stall (compiling the routing policy, starting workers), with the files as they are.
    const baseline = await reloadStall(gw);
    expect(baseline.status).toBe(200);
    await writeFile(path, large);
    const { status, stall } = await reloadStall(gw);
    expect(status).toBe(200);
    expect(gw.gateway.policies.version).not.toBe(versionBefore);
    // On the serving thread the parse adds its whole length to the stall; on a worker, next to nothing.
    expect(stall).toBeLessThan(baseline.stall + parseHere / 2);
  });

  it("does not hold the event loop while a large budgets.yaml parses, and takes the file", async () => {
    const path = join(gw.policyDir, "budgets.yaml");
    // ~5,000 tenants, near budgets.yaml's 256 KiB limit.
    const tenants = Array.from({ length: 5_000 }, (_, i) => `t${i}: {monthly_usd: ${i + 1}, action: deny}`).join(", ");
    const large = `version: 1\ntenants: {${tenants}}\n`;
    expect(large.length).toBeGreaterThan(200_000);
    const parseHere = timeHere(() => parseBudgetPolicy(path, large));

    // A reload's own stall (compiling the routing policy, starting workers), with the files as they are.
    const baseline = await reloadStall(gw);
    expect(baseline.status).toBe(200);
    await writeFile(path, large);
    const { status, stall } = await reloadStall(gw);
    expect(status).toBe(200);
    const admin = (await (await fetch(`${gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { lastError: unknown };
    expect(admin.lastError).toBeNull();
    // On the serving thread the parse adds its whole length to the stall; on a worker, next to nothing.
    expect(stall).toBeLessThan(baseline.stall + parseHere / 2);
  });
});

describe("closing the gateway while a reload parses", { timeout: 60_000 }, () => {
  it("stops the reload's worker instead of waiting for it: the reload fails, saying why, and counts as no failure", async () => {
    const fake = await startFakeOpenAI();
    const gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }), env: { SWITCHYARD_ADMIN_KEY: ADMIN } });
    try {
      const path = join(gw.policyDir, "intents.yaml");
      const examples = Array.from({ length: 40_000 }, (_, i) => `bulk example ${i}`).join(", ");
      await writeFile(path, (await readFile(path, "utf8")).replace(/^intents:\n/m, `intents:\n  bulk_examples:\n    route: local\n    description: bulk\n    examples: [${examples}]\n`));
      const reloading = gw.gateway.reloadPolicies();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await gw.close();
      const result = await reloading;
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.error.message).toMatch(/the gateway is shutting down/);
      // Not a refused file: nothing for a reload-failure alert to fire on at every deploy.
      expect(gw.gateway.policies.reloadFailures).toBe(0);
      expect(gw.gateway.policies.lastError).toBeNull();
      expect(gw.logs.some((line) => line.includes("routing policy reload stopped: the gateway is shutting down"))).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
