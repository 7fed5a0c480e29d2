/**
 * Ops retrain the intent classifier into the folder the gateway serves it from
 * (`classifier train --out <SWITCHYARD_CLASSIFIER_DIR>`), and the running gateway takes it with its
 * next policy reload — the folder is watched like the policy folder — without a restart. A model
 * the routing policy does not accept, or one that cannot be loaded, never answers a request: the
 * previous one keeps answering and the reload says why.
 */
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
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
/** The version of a folder without files: what a folder of links once hashed to. */
const EMPTY_FOLDER_VERSION = "sha256:e3b0c44298fc1c14";
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

async function train(labels: readonly string[], valSplit = 0.2): Promise<ModelFiles> {
  const examples = trainingExamples.filter((e) => labels.includes(e.label));
  // One member, one copy: the smallest model that still classifies these clear examples.
  const options = TrainClassifierOptionsSchema.parse({ valSplit, members: ["all"], memberRepeats: 1 });
  return (await trainNgramClassifier(examples, options)).files;
}

let twoIntents: ModelFiles;
let twoIntentsRetrained: ModelFiles;
let threeIntents: ModelFiles;
let seed: string;
beforeAll(async () => {
  [twoIntents, threeIntents, twoIntentsRetrained] = await Promise.all([train(["weather", "music"]), train(["weather", "music", "recipe"]), train(["weather", "music"], 0.3)]);
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

async function start(options: { watch: boolean; env?: Record<string, string>; classifierDir?: string }): Promise<TestGateway> {
  classifierDir = options.classifierDir ?? join(await mkdtemp(join(seed, "serving-")), "model");
  if (!options.classifierDir) await cp(join(seed, "two"), classifierDir, { recursive: true });
  return startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }),
    files: { "intents.yaml": intentsYaml(["weather", "music"]), "routing.yaml": ROUTING },
    env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, SWITCHYARD_CLASSIFIER_DIR: classifierDir, SWITCHYARD_POLICY_POLL_MS: "200", ...options.env },
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
  shadow: { version: string | null; lastError: { message: string } | null } | null;
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

  it("refused by the routing policy does not hold back a valid edit of the policy files", async () => {
    gw = await start({ watch: false });
    const before = await status(gw.url);
    await writeModelFolder(classifierDir, threeIntents); // 'recipe' has no intents.yaml entry
    const routing = await readFile(join(gw.policyDir, "routing.yaml"), "utf8");
    await writeFile(join(gw.policyDir, "routing.yaml"), routing.replace("unclassified_route: cloud", "unclassified_route: local"));

    const result = await reload(gw.url);
    expect(result.status).toBe(422);
    expect(result.body.error?.message).toContain(`${classifierDir}: the retrained intent classifier in this folder is not taken`);
    const after = await status(gw.url);
    expect(after.version).not.toBe(before.version); // the routing edit is live
    expect(after.classifier.version).toBe(before.classifier.version);
  });

  it("is what a shadow candidate naming its new intent is checked against, once it goes live", async () => {
    const shadowDir = await mkdtemp(join(seed, "shadow-"));
    await writeFile(join(shadowDir, "routing.yaml"), ROUTING.replace("rules:\n", "rules:\n  - name: recipes-local\n    when: { intent: [recipe] }\n    then: { route: local }\n"));
    gw = await start({ watch: false, env: { SWITCHYARD_SHADOW_POLICY_DIR: shadowDir } });
    expect((await status(gw.url)).shadow?.version).toBeNull(); // 'recipe' is unknown to the classifier yet

    await writeFile(join(gw.policyDir, "intents.yaml"), intentsYaml(["weather", "music", "recipe"]));
    await writeModelFolder(classifierDir, threeIntents);
    expect((await reload(gw.url)).body.ok).toBe(true);
    const after = await status(gw.url);
    expect(after.classifier.labels).toBe(3);
    expect(after.shadow).toMatchObject({ version: expect.any(String), lastError: null });
  });

  it("served from a Hugging Face cache snapshot (links into blobs/) follows a switch of the snapshot link", async () => {
    const cache = await mkdtemp(join(seed, "hf-cache-"));
    for (const [revision, files] of [["rev1", twoIntents], ["rev2", threeIntents]] as const) {
      await writeModelFolder(join(cache, "blobs", revision), files);
      await mkdir(join(cache, "snapshots", revision, "onnx"), { recursive: true });
      for (const file of files.keys()) await symlink(join(cache, "blobs", revision, file), join(cache, "snapshots", revision, file));
    }
    const current = join(cache, "current");
    await symlink(join(cache, "snapshots", "rev1"), current);
    gw = await start({ watch: false, classifierDir: current });
    await writeFile(join(gw.policyDir, "intents.yaml"), intentsYaml(["weather", "music", "recipe"]));
    const before = await status(gw.url);
    expect(before.classifier.version).not.toBe(EMPTY_FOLDER_VERSION); // the links are the model's files

    await symlink(join(cache, "snapshots", "rev2"), `${current}.next`);
    await rename(`${current}.next`, current); // ln -sfn
    expect((await reload(gw.url)).body.ok).toBe(true);
    const after = await status(gw.url);
    expect(after.classifier.labels).toBe(3);
    expect(after.classifier.version).not.toBe(before.classifier.version);
    expect(await intentOf(gw.url, "how do I cook lasagna")).toBe("recipe");
  });

  it("is not blamed when the policy files themselves do not load", async () => {
    gw = await start({ watch: false });
    await writeModelFolder(classifierDir, twoIntentsRetrained); // the same labels, new weights
    await writeFile(join(gw.policyDir, "routing.yaml"), `${ROUTING}\nrules: [unclosed\n`);
    const result = await reload(gw.url);
    expect(result.status).toBe(422);
    expect(result.body.error?.message).toContain("not taken: the policy files do not load");
    expect(result.body.error?.message).not.toContain("refuse its labels");
  });
});
