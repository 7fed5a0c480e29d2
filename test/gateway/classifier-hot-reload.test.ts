/**
 * Ops retrain the intent classifier into the folder the gateway serves it from
 * (`classifier train --out <SWITCHYARD_CLASSIFIER_DIR>`), and the running gateway takes it with its
 * next policy reload — the folder is watched like the policy folder — without a restart. A model
 * the routing policy does not accept, or one that cannot be loaded, never answers a request: the
 * previous one keeps answering and the reload says why.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeModelFolder, type ModelFiles } from "../../classifiers/model-folder.js";
import { TrainClassifierOptionsSchema, trainNgramClassifier } from "../../classifiers/training/train-classifier.js";
import { trainingExamples } from "../classifiers/fixtures.js";
import { postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { until } from "../support/until.js";

const ADMIN_KEY = "admin-key-for-classifier-reload";
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const ROUTES: Record<string, string> = { weather: "local", music: "local", recipe: "cloud" };

function intentsYaml(labels: readonly string[]): string {
  const entries = labels.map((label) => {
    const examples = trainingExamples.filter((e) => e.label === label).map((e) => `      - ${e.text}\n`);
    return `  ${label}:\n    route: ${ROUTES[label]}\n    description: ${label} requests\n    examples:\n${examples.join("")}`;
  });
  return `version: 1\nintents:\n${entries.join("")}`;
}

// Routes by intent, so a classifier label intents.yaml has no entry for is refused, not warned about.
const ROUTING = `version: 1
unclassified_route: cloud
rules:
  - name: weather-stays-local
    when: { intent: [weather] }
    then: { route: local }
default:
  route: intent_default
`;

async function train(labels: readonly string[]): Promise<ModelFiles> {
  const examples = trainingExamples.filter((e) => labels.includes(e.label));
  // One member, one copy: the smallest model that still classifies these clear examples.
  const options = TrainClassifierOptionsSchema.parse({ valSplit: 0.2, members: ["all"], memberRepeats: 1 });
  return (await trainNgramClassifier(examples, options)).files;
}

let twoIntents: ModelFiles;
let threeIntents: ModelFiles;
let seed: string;
beforeAll(async () => {
  [twoIntents, threeIntents] = await Promise.all([train(["weather", "music"]), train(["weather", "music", "recipe"])]);
  seed = await mkdtemp(join(tmpdir(), "switchyard-live-classifier-"));
  await writeModelFolder(join(seed, "two"), twoIntents);
}, 240_000);
afterAll(async () => {
  await rm(seed, { recursive: true, force: true });
});

let gw: TestGateway | undefined;
let classifierDir: string;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function start(options: { watch: boolean }): Promise<TestGateway> {
  classifierDir = join(await mkdtemp(join(seed, "serving-")), "model");
  await cp(join(seed, "two"), classifierDir, { recursive: true });
  return startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }),
    files: { "intents.yaml": intentsYaml(["weather", "music"]), "routing.yaml": ROUTING },
    env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, SWITCHYARD_CLASSIFIER_DIR: classifierDir, SWITCHYARD_POLICY_POLL_MS: "200" },
    watchPolicies: options.watch,
    waitForModels: false,
  });
}

async function intentOf(url: string, text: string): Promise<unknown> {
  const answer = await postJson(url, "/v1/route", { model: "auto", messages: [{ role: "user", content: text }] });
  expect(answer.status).toBe(200);
  return answer.json.intent;
}

interface Status {
  version: string;
  classifier: { dir: string; version: string; labels: number };
  lastError: { message: string } | null;
}
const status = async (url: string) => (await (await fetch(`${url}/admin/policies`, { headers: admin })).json()) as Status;
const reload = async (url: string) => {
  const response = await fetch(`${url}/admin/policies/reload`, { method: "POST", headers: admin });
  return { status: response.status, body: (await response.json()) as { ok: boolean; error?: { message: string } } };
};

describe("a classifier retrained into the folder the gateway serves", { timeout: 120_000 }, () => {
  it("goes live without a restart once the folder changes, with the intents.yaml it was trained on", async () => {
    gw = await start({ watch: true });
    const before = await status(gw.url);
    expect(before.classifier).toMatchObject({ dir: classifierDir, labels: 2 });
    expect(await intentOf(gw.url, "how do I cook lasagna")).not.toBe("recipe");

    await writeFile(join(gw.policyDir, "intents.yaml"), intentsYaml(["weather", "music", "recipe"]));
    await writeModelFolder(classifierDir, threeIntents); // what `classifier train --out` does

    const url = gw.url;
    await until(async () => (await status(url)).classifier.labels === 3, 20_000);
    expect(await intentOf(url, "how do I cook lasagna")).toBe("recipe");
    const after = await status(url);
    expect(after.classifier.version).not.toBe(before.classifier.version);
    expect(after.lastError).toBeNull();
    expect(gw.logs.some((line) => line.includes("intent classifier reloaded"))).toBe(true);
  });

  it("is refused, the previous one answering, while the routing policy does not accept its labels", async () => {
    gw = await start({ watch: false });
    const before = await status(gw.url);
    await writeModelFolder(classifierDir, threeIntents); // intents.yaml not edited: 'recipe' has no entry

    const refused = await reload(gw.url);
    expect(refused.status).toBe(422);
    expect(refused.body.error?.message).toContain("classifier label 'recipe' has no entry");
    expect((await status(gw.url)).classifier.version).toBe(before.classifier.version);
    expect(await intentOf(gw.url, "how do I cook lasagna")).not.toBe("recipe");

    await writeFile(join(gw.policyDir, "intents.yaml"), intentsYaml(["weather", "music", "recipe"]));
    const accepted = await reload(gw.url);
    expect(accepted.body.ok).toBe(true);
    expect(await intentOf(gw.url, "how do I cook lasagna")).toBe("recipe");
  });

  it("that cannot be loaded is reported, and does not hold back a routing edit", async () => {
    gw = await start({ watch: false });
    const before = await status(gw.url);
    await writeFile(join(classifierDir, "switchyard.json"), "{ not json");
    const routing = await readFile(join(gw.policyDir, "routing.yaml"), "utf8");
    await writeFile(join(gw.policyDir, "routing.yaml"), routing.replace("unclassified_route: cloud", "unclassified_route: local"));

    const result = await reload(gw.url);
    expect(result.status).toBe(422);
    expect(result.body.error?.message).toContain(`${classifierDir}: the intent classifier in this folder cannot be loaded, so the previous one keeps answering`);
    const after = await status(gw.url);
    expect(after.version).not.toBe(before.version); // the routing edit is live
    expect(after.classifier.version).toBe(before.classifier.version);
    expect(await intentOf(gw.url, "will it rain tomorrow in paris")).toBe("weather");
  });
});
