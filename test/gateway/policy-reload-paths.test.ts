/**
 * Every way of reloading the policy files — the file watch, `POST /admin/policies/reload` and SIGHUP
 * (`gateway.reloadPolicies()`, which `serve` calls on the signal) — reloads the same files and counts
 * a failed reload in `switchyard_policy_reload_failures_total`, while the last good policy keeps
 * serving. An alert on that metric must see an invalid edit however it was picked up.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN = "admin-key-0123456789abcdef";
const BROKEN_ROUTING = "version: 1\nrules: [ this is not a rule list\n";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.close();
});

const start = (watchPolicies: boolean) =>
  startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
    env: { SWITCHYARD_ADMIN_KEY: ADMIN },
    watchPolicies,
  });

/** The counter's value for `policy` (0 while the series does not exist yet). */
async function reloadFailures(gw: TestGateway, policy: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`switchyard_policy_reload_failures_total{policy="${policy}"} `));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

/** The policy version a request is decided with now (from the dry run, which calls no model). */
async function servingVersion(gw: TestGateway): Promise<string | null> {
  const response = await dryRun(gw);
  await response.arrayBuffer();
  return response.headers.get("x-switchyard-policy");
}

const dryRun = (gw: TestGateway) =>
  fetch(`${gw.url}/v1/route`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "Hello there" }] }),
  });

const adminReload = (gw: TestGateway) => fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });

describe("policy reloads triggered on demand", { timeout: 60_000 }, () => {
  let gw: TestGateway;
  let routing: string;
  let original: string;
  beforeAll(async () => {
    gw = await start(false);
    routing = join(gw.policyDir, "routing.yaml");
    original = await readFile(routing, "utf8");
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("POST /admin/policies/reload counts an invalid routing.yaml, and the last good policy keeps serving", async () => {
    const before = await servingVersion(gw);
    const failures = await reloadFailures(gw, "routing");
    await writeFile(routing, BROKEN_ROUTING);
    const response = await adminReload(gw);
    expect(response.status).toBe(422);
    expect(await reloadFailures(gw, "routing")).toBe(failures + 1);
    expect(await servingVersion(gw)).toBe(before);
    await writeFile(routing, original);
    expect((await adminReload(gw)).status).toBe(200);
    expect(await reloadFailures(gw, "routing")).toBe(failures + 1);
  });

  it("shows the version in force in switchyard_policy_info, one series, following a reload", async () => {
    const infoLines = async () => (await (await fetch(`${gw.url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("switchyard_policy_info{"));
    const before = await servingVersion(gw);
    expect(await infoLines()).toEqual([`switchyard_policy_info{version="${before}"} 1`]);
    await writeFile(routing, original.replace("default:\n  route: intent_default\n", "default:\n  route: intent_default\n  max_tokens: 77\n"));
    try {
      expect((await adminReload(gw)).status).toBe(200);
      const edited = await servingVersion(gw);
      expect(edited).not.toBe(before);
      expect(await infoLines()).toEqual([`switchyard_policy_info{version="${edited}"} 1`]);
    } finally {
      await writeFile(routing, original);
      await adminReload(gw);
    }
  });

  it("SIGHUP counts an invalid routing.yaml, and the last good policy keeps serving", async () => {
    const before = await servingVersion(gw);
    const failures = await reloadFailures(gw, "routing");
    await writeFile(routing, BROKEN_ROUTING);
    await gw.gateway.reloadPolicies();
    expect(await reloadFailures(gw, "routing")).toBe(failures + 1);
    expect(await servingVersion(gw)).toBe(before);
    await writeFile(routing, original);
    await gw.gateway.reloadPolicies();
  });

  it("POST /admin/policies/reload puts a budgets.yaml edit in force, like SIGHUP", async () => {
    // Some spend first: any tenant over a tiny budget is then refused.
    const spent = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "Hello there, how are you?" }], max_tokens: 2 }),
    });
    expect(spent.status).toBe(200);
    await spent.arrayBuffer();
    const budgets = join(gw.policyDir, "budgets.yaml");
    const shipped = await readFile(budgets, "utf8");
    await writeFile(budgets, "version: 1\ndefault: { monthly_usd: 0.0000001, action: deny }\ntenants: {}\n");
    try {
      expect((await adminReload(gw)).status).toBe(200);
      await vi.waitFor(
        async () => {
          const response = await dryRun(gw);
          expect(response.status).toBe(429);
          expect(await response.json()).toMatchObject({ error: { code: "budget_exceeded" } });
        },
        { timeout: 5_000, interval: 100 },
      );
    } finally {
      await writeFile(budgets, shipped);
      await adminReload(gw);
    }
    expect((await dryRun(gw)).status).toBe(200);
  });

  it("POST /admin/policies/reload reports and counts an invalid budgets.yaml", async () => {
    const budgets = join(gw.policyDir, "budgets.yaml");
    const shipped = await readFile(budgets, "utf8");
    const failures = await reloadFailures(gw, "budgets.yaml");
    await writeFile(budgets, "version: 1\ndefault: { monthly_usd: -5, action: deny }\n");
    try {
      const response = await adminReload(gw);
      expect(response.status).toBe(422);
      const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(body).toMatchObject({ ok: false, error: { code: "policy_invalid" } });
      expect(body.error.message).toMatch(/budgets\.yaml:\d+:\d+/);
      expect(await reloadFailures(gw, "budgets.yaml")).toBe(failures + 1);
    } finally {
      await writeFile(budgets, shipped);
    }
    expect((await adminReload(gw)).status).toBe(200);
  });
});

describe("policy reloads triggered by the file watch", { timeout: 60_000 }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await start(true);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("counts an invalid routing.yaml, and the last good policy keeps serving", async () => {
    const before = await servingVersion(gw);
    const failures = await reloadFailures(gw, "routing");
    await writeFile(join(gw.policyDir, "routing.yaml"), BROKEN_ROUTING);
    // The reload checks the files on a worker, started after any other reload worker (the watches'
    // catch-up at start): seconds each on a loaded machine.
    await vi.waitFor(async () => expect(await reloadFailures(gw, "routing")).toBeGreaterThan(failures), { timeout: 30_000, interval: 100 });
    expect(await servingVersion(gw)).toBe(before);
  });
});
