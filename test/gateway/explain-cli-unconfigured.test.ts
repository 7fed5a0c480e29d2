/**
 * `policy explain` sees which providers have their API key as the gateway does: from the environment
 * (the variable each provider's `api_key_env` names). Run with the gateway's environment, it skips
 * the targets the gateway skips, for the same reason, where it used to name a cloud model every real
 * request would skip. Its output keeps its shape; a `note:` on stderr says which providers it took as
 * not configured.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: explicit-model
    when: { not: { model: auto } }
    then: { route: requested, pin: true }
default: { route: cloud }
`;

/** The gateway's environment: the cloud provider's key variable is set, but empty. */
const GATEWAY_ENV = { FAKE_CLOUD_KEY: "" };
const NOTE = "note: provider 'fake' is not configured (FAKE_CLOUD_KEY is not set): its models are skipped, as the gateway skips them in this environment; set the variable to explain with it\n";

let gw: TestGateway;
beforeAll(async () => {
  // Loaded, so the gateway's dry run takes the local model as ready, as the CLI does.
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), files: { "routing.yaml": ROUTING }, env: GATEWAY_ENV });
});
afterAll(async () => {
  await gw?.close();
});

async function explain(body: unknown, env: Record<string, string>): Promise<{ out: Record<string, unknown>; err: string }> {
  const request = join(gw.policyDir, "request.test.json");
  await writeFile(request, JSON.stringify(body));
  const { code, stdout, stderr } = await runInProcess(
    createPolicyCommand({ classifierDir: "/nonexistent/classifier" }),
    ["explain", "--request", request, "--policy", gw.policyDir, "--pii", "none"],
    { cwd: gw.policyDir, stdin: "", env },
  );
  expect(code, stderr).toBe(0);
  return { out: JSON.parse(stdout) as Record<string, unknown>, err: stderr };
}

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 });

describe("policy explain in the gateway's environment, where a provider has no API key", { timeout: 60_000 }, () => {
  it.each([
    ["a rule's cloud target", "auto"],
    ["the model the client named", "fake-gpt"],
  ])("skips %s as the gateway's dry run does, and says so", async (_label, model) => {
    const http = await postJson(gw.url, "/v1/route", ask(model));
    expect(http.status).toBe(200);
    expect(http.json).toMatchObject({ route: "local", model: "stories" });

    const cli = await explain(ask(model), GATEWAY_ENV);
    expect(cli.out).toMatchObject({ route: http.json.route, model: http.json.model, rule: http.json.rule, fallbacks: http.json.fallbacks });
    expect(cli.out.reasons).toEqual(http.json.reasons);
    expect(cli.out.reasons).toContain("skipped fake-gpt: provider not configured (FAKE_CLOUD_KEY is not set)");
    expect((cli.out.features as Record<string, unknown>).unconfiguredProviders).toEqual({ fake: "FAKE_CLOUD_KEY is not set" });
    expect((http.json.features as Record<string, unknown>).unconfiguredProviders).toEqual({ fake: "FAKE_CLOUD_KEY is not set" });
    expect(cli.err).toContain(NOTE);
  });

  it("explains as before, with the same output shape and no note, where the variable is set", async () => {
    const keyless = await explain(ask("auto"), GATEWAY_ENV);
    const keyed = await explain(ask("auto"), { FAKE_CLOUD_KEY: "sk-any" });
    expect(keyed.out).toMatchObject({ route: "cloud", model: "fake-gpt", rule: "default" });
    expect(keyed.out.features).not.toHaveProperty("unconfiguredProviders");
    expect(keyed.err).not.toContain("is not configured");
    expect(Object.keys(keyless.out)).toEqual(Object.keys(keyed.out));
  });
});
