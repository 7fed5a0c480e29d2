/**
 * `policy explain` finds PII where the gateway's scan finds it: every field the request carries to a
 * cloud model (a message's `name`, the body's `metadata`, …), not only its message texts. Otherwise
 * the CLI predicts a cloud route for a request the gateway keeps on the host (`secrets-stay-local`).
 */
import { describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway();

const CODE = "Write a Python function that reverses a linked list";

async function explain(body: unknown): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await runInProcess(createPolicyCommand(), ["explain", "--request", "-", "--policy", cloud.gw.policyDir], {
    cwd: process.cwd(),
    env: { FAKE_CLOUD_KEY: "set" },
    stdin: JSON.stringify(body),
  });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("policy explain scans what the gateway scans", { timeout: 60_000 }, () => {
  it.each([
    ["a secret in the body's metadata", { model: "auto", messages: [{ role: "user", content: CODE }], metadata: { deploy_key: "AKIAIOSFODNN7EXAMPLE" } }],
    ["an e-mail address as a message's name", { model: "auto", messages: [{ role: "user", name: "john.smith@example.com", content: CODE }] }],
  ])("%s: the same rule, route, model and PII types as POST /v1/route", async (_label, body) => {
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    expect(dry.status).toBe(200);
    expect(dry.json.route).toBe("local");
    const cli = await explain(body);
    const pick = (r: Record<string, unknown>) => ({ rule: r.rule, route: r.route, model: r.model, types: (r.pii as { types: string[] }).types });
    expect(pick(cli)).toEqual(pick(dry.json));
  });
});
