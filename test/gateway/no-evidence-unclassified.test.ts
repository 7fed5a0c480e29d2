/**
 * A request the classifier can read nothing in (emoji or punctuation only, blank, an image alone) has
 * no intent: the model answers every intent equally likely, and the first label in alphabetical order
 * is no finding. The gateway routes it as unclassified — intent, `intent_route` and `confidence_*`
 * conditions do not hold, `unsure: true` does — and its usage record carries no intent, so
 * `/v1/usage?group_by=intent` does not count it under a real one.
 */
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { fakeCloudGateway } from "../support/gateway.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { route: "sk-noevidence-route-0123456789", usage: "sk-noevidence-usage-0123456789" };

/** A low bar any classified request passes, before the rule for unsure requests. */
const ROUTING = `
version: 1
rules:
  - name: low-bar
    when: { confidence_above: 0.05 }
    then: { route: cloud }
  - name: unsure
    when: { unsure: true }
    then: { route: cloud }
default: { route: cloud }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) } } });

const request = (content: unknown) => ({ model: "auto", messages: [{ role: "user", content }] });

async function dryRun(content: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${cloud.gw.url}/v1/route`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEYS.route}` },
    body: JSON.stringify(request(content)),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("a request with nothing to classify", () => {
  it.each([
    ["emoji only", "🙂🙂"],
    ["punctuation only", "???"],
    ["blank", "   "],
    ["an image alone", [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }]],
  ])("%s: the dry run shows no intent, and only the unsure rule matches", async (_name, content) => {
    const answer = await dryRun(content);
    expect(answer).toMatchObject({ intent: null, confidence: null, unsure: true, rule: "unsure" });
  });

  it("text the classifier reads still has its intent", async () => {
    const answer = await dryRun("translate good night into French");
    expect(answer).toMatchObject({ intent: "translate_text", rule: "low-bar" });
  });

  it("is recorded in usage without an intent", async () => {
    const client = cloud.gw.client({ apiKey: KEYS.usage });
    await client.chat.completions.create({ model: "auto", max_tokens: 3, messages: [{ role: "user", content: "🙂🙂" }] });
    await client.chat.completions.create({ model: "auto", max_tokens: 3, messages: [{ role: "user", content: "translate good night into French" }] });
    const rows = await usageRecords(cloud.gw.url, KEYS.usage, 2);
    expect(rows.map((row) => row.intent).sort()).toEqual(["", "translate_text"]);

    const res = await fetch(`${cloud.gw.url}/v1/usage?group_by=intent`, { headers: { authorization: `Bearer ${KEYS.usage}` } });
    const groups = ((await res.json()) as { groups: Array<{ key: string; requests: number }> }).groups;
    expect(groups.map((g) => g.key).sort()).toEqual(["(none)", "translate_text"]);
  });

  it("policy explain agrees with the dry run", { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await runCliProcess(["policy", "explain", "--request", "-", "--policy", cloud.gw.policyDir], { stdin: JSON.stringify(request("🙂🙂")) });
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ intent: null, confidence: null, unsure: true, rule: "unsure" });
  });
});
