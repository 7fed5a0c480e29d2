/**
 * `SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS`: a follow-up such as "and this?" only makes sense with the
 * turn before. By default the classifier reads the last user message alone; with the variable set, the
 * gateway's classifier also reads that many earlier user turns (the dry run shows what it decided).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/load.js";
import { runCliProcess } from "../support/cli-process.js";
import { sessionChat, user } from "../support/session-chat.js";
import { SHIPPED_POLICIES, fakeCloudGateway, postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const followUp = {
  model: "auto",
  messages: [
    { role: "user", content: "translate good night into French" },
    { role: "assistant", content: "Bonne nuit." },
    { role: "user", content: "and this?" },
  ],
};

/** Every request is classified: the one rule reads the intent. */
const ROUTING = `
version: 1
rules:
  - name: translations
    when: { intent: translate_text }
    then: { route: cloud }
default: { route: cloud }
`;

async function dryRun(gw: TestGateway): Promise<{ intent: unknown; unsure: unknown }> {
  const res = await postJson(gw.url, "/v1/route", followUp);
  expect(res.status).toBe(200);
  return { intent: res.json.intent, unsure: res.json.unsure };
}

describe("classifier text: previous user turns", () => {
  let plain: TestGateway;
  let withTurns: TestGateway;
  beforeAll(async () => {
    const modelsYaml = testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" });
    plain = await startTestGateway({ modelsYaml, waitForModels: false, files: { "routing.yaml": ROUTING } });
    withTurns = await startTestGateway({ modelsYaml, waitForModels: false, files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: "1" } });
  });
  afterAll(async () => {
    await plain?.close();
    await withTurns?.close();
  });

  it("by default the follow-up is classified alone; with 1 previous turn it is read with the request before", async () => {
    const alone = await dryRun(plain);
    expect(alone.intent).not.toBe("translate_text");
    expect(alone.unsure).toBe(true);
    expect(await dryRun(withTurns)).toEqual({ intent: "translate_text", unsure: false });
  });

  it("policy explain reads the same text as the gateway's dry run", { timeout: 60_000 }, async () => {
    const explain = async (env: Record<string, string>) => {
      const { code, stdout, stderr } = await runCliProcess(["policy", "explain", "--request", "-", "--policy", withTurns.policyDir], { env, stdin: JSON.stringify(followUp) });
      expect(code, stderr).toBe(0);
      const answer = JSON.parse(stdout) as { intent: unknown; unsure: unknown };
      return { intent: answer.intent, unsure: answer.unsure };
    };
    expect(await explain({})).toEqual(await dryRun(plain));
    expect(await explain({ SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: "1" })).toEqual({ intent: "translate_text", unsure: false });
    const refused = await runCliProcess(["policy", "explain", "--request", "-", "--policy", SHIPPED_POLICIES], { env: { SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: "-1" }, stdin: JSON.stringify(followUp) });
    expect(refused.stderr).toContain("SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: must be a whole number ≥ 0");
    expect(refused.code).toBe(1);
  });

  it("a value that is not a whole number ≥ 0 stops start-up with the variable's name", () => {
    for (const value of ["-1", "1.5", "two"]) {
      expect(() => parseEnv({ SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: value })).toThrow(/SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS/);
    }
    expect(parseEnv({}).SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS).toBe(0);
  });
});

describe("classifier text: previous user turns of a session", () => {
  const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_CLASSIFIER_PREVIOUS_TURNS: "1" } } });
  const { chat } = sessionChat(() => cloud.gw);

  it("a session client sending only the follow-up is classified with its stored turn before it", async () => {
    await chat("previous-turns", [user("translate good night into French")]);
    const res = await fetch(`${cloud.gw.url}/v1/route`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": "previous-turns" },
      body: JSON.stringify({ model: "auto", messages: [user("and this?")] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ intent: "translate_text", unsure: false });
    // Without the session the same message is classified alone.
    const alone = await postJson(cloud.gw.url, "/v1/route", { model: "auto", messages: [user("and this?")] });
    expect(alone.json).toMatchObject({ unsure: true });
    expect(alone.json.intent).not.toBe("translate_text");
  });
});
