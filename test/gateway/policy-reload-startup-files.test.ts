/**
 * A policy reload against files the gateway reads at start-up only (pii.yaml, models.yaml,
 * context.yaml): routing.yaml is checked against what the running gateway has — its PII engine's
 * entity types, its model registry — not against those files as edited on disk since, and the reload
 * says which of them a restart would apply.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadPolicyDir } from "../../src/policy/load.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-key-0123456789";
const EMPLOYEE_RECOGNIZER = `custom_recognizers:\n  - type: EMPLOYEE_ID\n    pattern: "EMP-[0-9]{6}"\n    score: 0.9\n`;
const EMPLOYEE_RULE = `rules:\n  - name: employee-ids-local\n    when: { pii_found: [EMPLOYEE_ID] }\n    then: { route: local, pii: keep_local, pin: true }\n`;
const GPT5 = `  gpt-5:\n    provider: fake\n    upstream_model: gpt-5\n    context_window: 128000\n    capabilities: { tools: true, json_schema: true, vision: true }\n    price: { input_per_1m: 1, output_per_1m: 2 }\ndefaults:`;

let cloud: FakeOpenAI;
let gateway: TestGateway;
afterEach(async () => {
  await gateway?.close();
  await cloud?.close();
});

async function start(files: Record<string, string> = {}): Promise<TestGateway> {
  cloud = await startFakeOpenAI();
  gateway = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: cloud.baseURL }), files, env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, waitForModels: false });
  return gateway;
}

const admin = { authorization: `Bearer ${ADMIN_KEY}` };
async function reload(gw: TestGateway): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: admin });
  return { status: res.status, body: await res.json() };
}
async function status(gw: TestGateway): Promise<any> {
  return (await fetch(`${gw.url}/admin/policies`, { headers: admin })).json();
}
async function edit(gw: TestGateway, name: string, change: (text: string) => string): Promise<void> {
  const path = join(gw.policyDir, name);
  await writeFile(path, change(await readFile(path, "utf8")));
}
const shippedPii = async () => (await readFile(join(import.meta.dirname, "../../policies/pii.yaml"), "utf8")).replace(/^  budget_ms: \d+/m, "  budget_ms: 5000");

describe("policy reload vs files read at start-up only", () => {
  it("refuses a pii_found type added to pii.yaml since start-up, which the running engine does not detect, and says a restart loads it", async () => {
    const gw = await start();
    await edit(gw, "pii.yaml", (text) => text.replace("custom_recognizers: []", EMPLOYEE_RECOGNIZER));
    await edit(gw, "routing.yaml", (text) => text.replace("rules:\n", EMPLOYEE_RULE));

    const { status: code, body } = await reload(gw);
    expect(code).toBe(422);
    expect(body.error.message).toMatch(/unknown PII entity type 'EMPLOYEE_ID'; the running PII engine \(pii\.yaml as read at start-up; restart to load edits\) reports: /);
    // Had it gone live, this request would have gone to the cloud: the engine finds no EMPLOYEE_ID.
    const dryRun = await postJson(gw.url, "/v1/route", { model: "auto", messages: [{ role: "user", content: "Look up employee EMP-123456" }] });
    expect(dryRun.json.rule).not.toBe("employee-ids-local");
  });

  it("keeps accepting a type the running engine reports after pii.yaml on disk dropped it, and warns that pii.yaml changed", async () => {
    const shipped = await shippedPii();
    const pii = shipped.replace("custom_recognizers: []", EMPLOYEE_RECOGNIZER);
    const routing = (await readFile(join(import.meta.dirname, "../../policies/routing.yaml"), "utf8")).replace("rules:\n", EMPLOYEE_RULE);
    const gw = await start({ "pii.yaml": pii, "routing.yaml": routing });
    await writeFile(join(gw.policyDir, "pii.yaml"), shipped);
    await edit(gw, "routing.yaml", (text) => `${text}\n# touched\n`);

    const { status: code, body } = await reload(gw);
    expect(code).toBe(200);
    const warning = `${join(gw.policyDir, "pii.yaml")} changed since start-up; the gateway reads it at start-up only: restart to apply`;
    expect(body).toMatchObject({ ok: true, changed: true, warnings: [warning] });
    expect((await status(gw)).warnings).toContain(warning);
    expect(gw.logs.some((line) => line.includes(warning) && line.includes('"level":40'))).toBe(true);
    // The engine still detects it, and the rule still holds.
    const dryRun = await postJson(gw.url, "/v1/route", { model: "auto", messages: [{ role: "user", content: "Look up employee EMP-123456" }] });
    expect(dryRun.json.rule).toBe("employee-ids-local");
  });

  it("warns on a reload that changes nothing else when models.yaml or context.yaml was edited, created or removed", async () => {
    const gw = await start();
    expect((await reload(gw)).body).toEqual({ ok: true, changed: false, version: expect.any(String) });
    await edit(gw, "models.yaml", (text) => text.replace("defaults:", GPT5));
    await writeFile(join(gw.policyDir, "context.yaml"), "version: 1\n");
    const { status: code, body } = await reload(gw);
    expect(code).toBe(200);
    expect(body.changed).toBe(false);
    expect(body.warnings).toEqual([
      `${join(gw.policyDir, "models.yaml")} changed since start-up; the gateway reads it at start-up only: restart to apply`,
      `${join(gw.policyDir, "context.yaml")} was created since start-up; the gateway reads it at start-up only: restart to apply`,
    ]);
    await rm(join(gw.policyDir, "context.yaml"));
    expect((await reload(gw)).body.warnings).toEqual([expect.stringMatching(/models\.yaml changed since start-up/)]);
  });

  it("names the running gateway's models, not models.yaml's, for a model added to models.yaml since start-up", async () => {
    const gw = await start();
    await edit(gw, "models.yaml", (text) => text.replace("defaults:", GPT5));
    await writeFile(join(gw.policyDir, "routing.yaml"), "version: 1\ndefault: { route: gpt-5 }\n");
    const { status: code, body } = await reload(gw);
    expect(code).toBe(422);
    expect(body.error.problems[0].message).toMatch(
      /^unknown model 'gpt-5'; the running gateway's models \(models\.yaml as read at start-up; restart to load edits\) are: stories, fake-gpt, gpt-4o; /,
    );
    expect(body.error.message).not.toContain("models.yaml declares");
    // `policy check` reads models.yaml from disk, as a restarted gateway would: there gpt-5 exists.
    await expect(loadPolicyDir({ dir: gw.policyDir })).resolves.toMatchObject({ policy: { defaultAction: { targets: [{ spec: "gpt-5" }] } } });
  });
});
