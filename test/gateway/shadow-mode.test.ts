/**
 * Shadow mode through the gateway: the candidate policy is compared with the active one once per
 * served chat request, on what it would have seen had it been active (the intent included, even
 * when the active policy never classifies), and dry runs (`POST /v1/route`) are not counted.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShadowStats } from "../../src/policy/shadow.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-key-0123456789";
const TENANT_KEY = "sk-shadow-essays-0123456789";
const ESSAY = { model: "auto", messages: [{ role: "user", content: "Write a detailed essay on the causes of the first world war, with citations." }] };

/** The active policy reads no intent: every request goes to the cloud default. */
const ACTIVE = "version: 1\ndefault: { route: fake-gpt }\n";
/** The candidate sends essays to the bigger model, which only the classifier can tell. */
const CANDIDATE = `version: 1
rules:
  - name: essays-to-big-model
    when: { intent: long_form_writing }
    then: { route: gpt-4o }
default: { route: fake-gpt }
`;

let fake: FakeOpenAI;
let shadowDir: string;
let gw: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  shadowDir = await mkdtemp(join(tmpdir(), "switchyard-shadow-"));
  await writeFile(join(shadowDir, "routing.yaml"), CANDIDATE);
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }),
    files: { "routing.yaml": ACTIVE },
    env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, SWITCHYARD_SHADOW_POLICY_DIR: shadowDir, SWITCHYARD_API_KEYS: `essays=${TENANT_KEY}` },
  });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
  if (shadowDir) await rm(shadowDir, { recursive: true, force: true });
});

async function shadowStats(gateway = gw): Promise<ShadowStats> {
  const response = await fetch(`${gateway.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { shadow: ShadowStats }).shadow;
}

async function chat(gateway: TestGateway, body: unknown, apiKey?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
  const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify(body) });
  await response.text();
  return response;
}

describe("shadow mode through the gateway", { timeout: 60_000 }, () => {
  it("gives the candidate the intent it reads, though the active policy never classifies", async () => {
    // What the candidate decides when it is the active policy: the baseline this comparison must match.
    const asActive = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "routing.yaml": CANDIDATE } });
    try {
      const dry = await postJson(asActive.url, "/v1/route", ESSAY);
      expect(dry.json).toMatchObject({ rule: "essays-to-big-model", model: "gpt-4o", intent: "long_form_writing" });
    } finally {
      await asActive.close();
    }

    const before = await shadowStats();
    const response = await chat(gw, ESSAY, TENANT_KEY);
    expect(response.status).toBe(200);
    // Only the active decision is executed.
    expect(response.headers.get("x-switchyard-model")).toBe("fake-gpt");
    const after = await shadowStats();
    expect(after.decisions - before.decisions).toBe(1);
    expect(after.disagreements - before.disagreements).toBe(1);
    expect(after.byRulePair).toContainEqual({ active: "default", candidate: "essays-to-big-model", count: expect.any(Number), lastActive: "route:fake-gpt", lastCandidate: "route:gpt-4o" });
  });

  it("counts each chat request once, and no dry run", async () => {
    // The shipped policy decides more than once on its way to a decision (before and after the
    // scan and the classifier): the candidate, the same file, must still be counted once a request.
    const dir = await mkdtemp(join(tmpdir(), "switchyard-shadow-shipped-"));
    await writeFile(join(dir, "routing.yaml"), await readFile(join(SHIPPED_POLICIES, "routing.yaml"), "utf8"));
    const shipped = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, SWITCHYARD_SHADOW_POLICY_DIR: dir } });
    try {
      for (let i = 0; i < 3; i++) expect((await postJson(shipped.url, "/v1/route", ESSAY)).status).toBe(200);
      expect(await shadowStats(shipped)).toMatchObject({ decisions: 0 });

      const hello = { model: "auto", messages: [{ role: "user", content: "hi there!" }] };
      for (const body of [ESSAY, hello, ESSAY]) expect((await chat(shipped, body)).status).toBe(200);
      expect(await shadowStats(shipped)).toMatchObject({ decisions: 3, agreements: 3, disagreements: 0 });
    } finally {
      await shipped.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("records the request as the active policy decided it: the candidate's intent stays out of usage", async () => {
    // The essay above was classified for the candidate only; grouped by intent, usage must not show it.
    const deadline = Date.now() + 5000;
    let report: { totals: { requests: number }; groups: Array<{ key: string; requests: number }> };
    do {
      const response = await fetch(`${gw.url}/v1/usage?group_by=intent`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
      expect(response.status).toBe(200);
      report = (await response.json()) as typeof report;
      if (report.totals.requests >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    expect(report.totals.requests).toBe(1);
    expect(report.groups.map((group) => group.key)).not.toContain("long_form_writing");
  });
});
