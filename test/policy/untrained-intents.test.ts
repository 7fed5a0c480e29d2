/**
 * An intent added to intents.yaml without retraining the classifier: the classifier never answers it,
 * so its requests are classified as some old intent and take that intent's route (a `route: cloud`
 * refund request went local as faq). The folder still loads (the gateway keeps serving what it can),
 * but every load says so — `policy check`, the start-up/reload log, GET /admin/policies `warnings` —
 * naming the intent and the fix: retrain (a running gateway takes the retrained classifier at its next
 * policy reload). The same when the classifier was trained on other examples than intents.yaml holds.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseLabelledExamples, trainingDataHash } from "../../classifiers/data/training-data.js";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { capturedIO } from "../support/cli-io.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { INTENTS_YAML, policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const SHIPPED_MODEL = join(REPO, "classifiers", "default");
const RETRAIN = "npm run cli -- classifier train --data";

const REFUND_INTENT = `  refund_request:
    route: cloud
    description: Customers asking for a refund.
    examples:
      - I want a refund for my order
      - please refund the charge on my card
`;

const withRefund = async () => `${await readFile(join(REPO, "policies", "intents.yaml"), "utf8")}${REFUND_INTENT}`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function shippedPolicies(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-untrained-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await cp(join(REPO, "policies"), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe("intents.yaml intents the classifier does not know", () => {
  it("load with a warning naming each intent, the retrain command and the restart", async () => {
    // refund was added to intents.yaml; the classifier was trained on greeting and code only.
    const dir = await policyDir({ "intents.yaml": `${INTENTS_YAML}  refund: { route: cloud, description: refunds, examples: [refund my order] }\n` });
    cleanup.push(dir.remove);
    const { warnings } = await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code"], classifier: { dir: "/models/intent" } });
    const intents = join(dir.dir, "intents.yaml");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${intents}: the classifier does not know intent 'refund'`);
    expect(warnings[0]).toContain(`${RETRAIN} ${intents} --out /models/intent`);
    expect(warnings[0]).toMatch(/next policy reload/);
  });

  it("give no warning when the classifier knows every intent", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    expect((await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code"] })).warnings).toEqual([]);
  });
});

describe("a classifier trained on other examples than intents.yaml's", () => {
  const hashOf = (text: string) => trainingDataHash(parseLabelledExamples(text, "intents.yaml", "yaml"));

  it("is a warning saying to retrain and restart", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const stale = hashOf(INTENTS_YAML.replace("write code", "write some code"));
    const { warnings } = await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code"], classifier: { dir: "/models/intent", trainingDataHash: stale } });
    const warning = warnings.find((w) => w.includes("trained on other examples"));
    expect(warning).toBeDefined();
    expect(warning).toContain(`${RETRAIN} ${join(dir.dir, "intents.yaml")} --out`);
    expect(warning).toMatch(/next policy reload/);
  });

  it("gives no warning when the hashes match", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const { warnings } = await loadPolicyDir({ dir: dir.dir, labels: ["greeting", "code"], classifier: { dir: "/models/intent", trainingDataHash: hashOf(INTENTS_YAML) } });
    expect(warnings).toEqual([]);
  });
});

describe("policy check with the shipped classifier", () => {
  const check = async (dir: string) => {
    const cli = capturedIO({ cwd: REPO, env: {}, stdin: "" });
    const code = await createPolicyCommand({ classifierDir: SHIPPED_MODEL }).run(["check", dir], cli);
    return { code, out: cli.out(), err: cli.err() };
  };

  it("passes the shipped policies without a classifier warning", async () => {
    const result = await check(await shippedPolicies({}));
    expect(result.code).toBe(0);
    expect(result.err).not.toMatch(/classifier|retrain/);
  });

  it("warns about an intent added without retraining (and about the changed examples), still exit 0", async () => {
    const dir = await shippedPolicies({ "intents.yaml": await withRefund() });
    const result = await check(dir);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^warning: .*'refund_request'.*next policy reload/m);
    expect(result.err).toMatch(/^warning: .*trained on other examples/m);
  });

  it("warns when only the examples changed", async () => {
    const shipped = await readFile(join(REPO, "policies", "intents.yaml"), "utf8");
    const dir = await shippedPolicies({ "intents.yaml": shipped.replace("      - hello there\n", "      - hello there\n      - howdy partner\n") });
    const result = await check(dir);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^warning: .*trained on other examples than .*intents\.yaml.*retrain.*next policy reload/m);
    expect(result.err).not.toMatch(/does not know/);
  });
});

describe("the gateway", { timeout: 60_000 }, () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });
  const ADMIN_KEY = "admin-secret-0123456789";

  it("logs the untrained intent at start-up and lists it in GET /admin/policies warnings", async () => {
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }),
      files: { "intents.yaml": await withRefund() },
      env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY },
      waitForModels: false,
    });
    expect(gw.logs.some((line) => line.includes('"level":40') && line.includes("'refund_request'"))).toBe(true);
    const response = await fetch(`${gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const body = (await response.json()) as { warnings: string[] };
    expect(body.warnings.some((w) => w.includes("'refund_request'") && w.includes("next policy reload"))).toBe(true);
    expect(body.warnings.some((w) => w.includes("trained on other examples"))).toBe(true);
  });

  it("warns when a reload brings an intent the classifier does not know", async () => {
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, waitForModels: false });
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const before = (await (await fetch(`${gw.url}/admin/policies`, { headers: admin })).json()) as { warnings: string[] };
    expect(before.warnings.filter((w) => /classifier/.test(w))).toEqual([]);
    await writeFile(join(gw.policyDir, "intents.yaml"), await withRefund());
    const reload = await fetch(`${gw.url}/admin/policies/reload`, { method: "POST", headers: admin });
    expect(reload.status).toBe(200);
    const after = (await (await fetch(`${gw.url}/admin/policies`, { headers: admin })).json()) as { warnings: string[] };
    expect(after.warnings.some((w) => w.includes("'refund_request'") && w.includes("next policy reload"))).toBe(true);
    expect(gw.logs.some((line) => line.includes('"level":40') && line.includes("'refund_request'"))).toBe(true);
  });

  it("logs which classifier it loaded at start-up", async () => {
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), waitForModels: false });
    const line = gw.logs.find((l) => l.includes("intent classifier loaded"));
    expect(line).toBeDefined();
    const entry = JSON.parse(line!) as { classifier: { dir: string; version: string; labels: number } };
    expect(resolve(entry.classifier.dir)).toBe(SHIPPED_MODEL);
    expect(entry.classifier.version).toMatch(/\S/);
    expect(entry.classifier.labels).toBe(13);
  });
});
