/**
 * Once the gateway has loaded budgets.yaml, deleting or renaming it is a failed reload that keeps the
 * budgets in force (as removing intents.yaml keeps the routing policy), reported in `lastError`,
 * `reloadFailures` and the reload-failure metric — not every budget silently lifted. A gateway that
 * never had the file runs without budgets, and a file created later is then loaded and kept.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { PolicyStatus } from "../../src/policy/store.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { Writable } from "node:stream";
import { createGateway } from "../../src/app.js";
import { loadGatewayConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/logging.js";
import { startTestGateway, testModelsYaml, writePolicyDir, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-secret-0123456789";
const TINY_BUDGET = "version: 1\ndefault: { monthly_usd: 0.0000001, action: deny }\n";

let fake: FakeOpenAI;
let gw: TestGateway | undefined;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function start(budgets: string): Promise<TestGateway> {
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    files: { "budgets.yaml": budgets },
    env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY },
    waitForModels: false,
  });
  return gw;
}

const status = async (g: TestGateway) =>
  (await (await fetch(`${g.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as PolicyStatus;

const chat = (g: TestGateway, path: "/v1/chat/completions" | "/v1/route") =>
  fetch(`${g.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "Hello there" }], max_tokens: 2 }),
  });

async function reloadFailures(g: TestGateway): Promise<number> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('switchyard_policy_reload_failures_total{policy="budgets.yaml"} '));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("budgets.yaml removed while the gateway runs", { timeout: 60_000 }, () => {
  it("is a failed reload that keeps the budgets in force, until the file is back", async () => {
    const g = await start(TINY_BUDGET);
    const budgetsPath = join(g.policyDir, "budgets.yaml");
    // Some spend: the tiny budget is then spent and the dry run answers 429.
    const spent = await chat(g, "/v1/chat/completions");
    expect(spent.status).toBe(200);
    await spent.arrayBuffer();
    await vi.waitFor(async () => expect((await chat(g, "/v1/route")).status).toBe(429), { timeout: 5_000, interval: 100 });

    await rename(budgetsPath, `${budgetsPath}.bak`);
    expect(await g.gateway.reloadPolicies()).toMatchObject({ ok: false });
    const now = await status(g);
    expect(now.reloadFailures).toBe(1);
    expect(now.lastError?.message).toBe(
      `${budgetsPath}: file not found; the gateway loaded budgets from it and keeps them in force (to lift every budget, leave the file with \`version: 1\` only)`,
    );
    expect(await reloadFailures(g)).toBe(1);
    expect(g.logs.some((line) => line.includes("the previous budgets stay in force"))).toBe(true);
    expect((await chat(g, "/v1/route")).status).toBe(429);

    await rename(`${budgetsPath}.bak`, budgetsPath);
    expect(await g.gateway.reloadPolicies()).toMatchObject({ ok: true });
    expect((await status(g)).lastError).toBeNull();
  });

  it("is no failure for a gateway that never had the file; one created later is loaded, then kept", async () => {
    const dir = await writePolicyDir({ "models.yaml": testModelsYaml({ cloudBaseURL: fake.baseURL }) });
    const budgetsPath = join(dir, "budgets.yaml");
    await rm(budgetsPath);
    const config = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir, FAKE_CLOUD_KEY: "k", SWITCHYARD_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: "silent" }, process.cwd());
    const gateway = await createGateway(config, { log: createLogger("silent", new Writable({ write: (_c, _e, done) => done() })), watchPolicies: false });
    try {
      expect(await gateway.reloadPolicies()).toMatchObject({ ok: true });
      await writeFile(budgetsPath, TINY_BUDGET);
      expect(await gateway.reloadPolicies()).toMatchObject({ ok: true });
      await rm(budgetsPath);
      expect(await gateway.reloadPolicies()).toMatchObject({ ok: false });
      const now = (await (await gateway.app.request("/admin/policies", { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as PolicyStatus;
      expect(now.lastError?.problems.map((p) => p.file)).toEqual([budgetsPath]);
    } finally {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
