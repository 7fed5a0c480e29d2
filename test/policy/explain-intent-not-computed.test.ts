/**
 * `policy explain` prints the intent the gateway computes, and none where the gateway does not
 * classify: a request an earlier rule settles (the shipped policy's explicit-model rule for a client
 * naming its model) is decided without the classifier, and its dry run (`POST /v1/route`) and usage
 * record have no intent. explain used to classify every request and print an intent, confidence and
 * `unsure` the gateway never computed.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let gw: TestGateway;
beforeAll(async () => {
  // The shipped policy and the default classifier, as the CLI loads them.
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }) });
}, 60_000);
afterAll(async () => {
  await gw?.close();
});

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "How do I reset my password?" }], max_tokens: 4 });

async function explain(body: unknown, flags: string[] = []) {
  const request = join(gw.policyDir, "request.test.json");
  await writeFile(request, JSON.stringify(body));
  const { code, stdout, stderr } = await runInProcess(createPolicyCommand(), ["explain", "--request", request, "--policy", gw.policyDir, "--pii", "none", ...flags], {
    cwd: gw.policyDir,
    stdin: "",
    env: { FAKE_CLOUD_KEY: "set" },
  });
  expect(code, stderr).toBe(0);
  return { out: JSON.parse(stdout) as Record<string, unknown> & { features: Record<string, unknown> }, err: stderr };
}

describe("policy explain's intent", { timeout: 60_000 }, () => {
  it("is none for a request the gateway decides without classifying it (a client naming its model), as in the dry run", async () => {
    const dry = await postJson(gw.url, "/v1/route", ask("fake-gpt"));
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ rule: "explicit-model", intent: null, confidence: null, unsure: null });
    const { out } = await explain(ask("fake-gpt"));
    expect(out).toMatchObject({ rule: "explicit-model", model: "fake-gpt", intent: null, confidence: null, unsure: null });
    expect(out.features.intent).toBeUndefined();
    expect(out.features.unsure).toBeUndefined();
  });

  it("leaves out an --intent the gateway would not compute, and says so", async () => {
    const { out, err } = await explain(ask("fake-gpt"), ["--intent", "faq"]);
    expect(out).toMatchObject({ rule: "explicit-model", intent: null, confidence: null, unsure: null });
    expect(err).toContain("note: the gateway does not classify this request (rule 'explicit-model' decides without an intent): --intent is not used");
  });

  it("is the classifier's where the gateway classifies (a request for auto), as in the dry run", async () => {
    const dry = await postJson(gw.url, "/v1/route", ask("auto"));
    expect(dry.status).toBe(200);
    expect(typeof dry.json.intent).toBe("string");
    const { out } = await explain(ask("auto"));
    expect(out).toMatchObject({ rule: dry.json.rule, intent: dry.json.intent, unsure: dry.json.unsure });
  });
});
