/**
 * `policy explain` predicts the refusals `POST /v1/route` predicts, for those that need no running
 * model: on the gateway's own policy folder, the CLI prints the status and error the HTTP dry run
 * answers (`n > 1`, a parameter the decided model cannot take), and for a policy deny the same last
 * reason (the requested model's own refusal).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
});

async function explain(body: unknown, flags: string[] = []): Promise<Record<string, unknown>> {
  const request = join(gw.policyDir, "request.test.json");
  await writeFile(request, JSON.stringify(body));
  const { code, stdout: out, stderr: err } = await runInProcess(
    createPolicyCommand({ classifierDir: "/nonexistent/classifier" }),
    ["explain", "--request", request, "--policy", gw.policyDir, "--pii", "none", ...flags],
    // The gateway's environment (its cloud key set): explain reads which providers have their key from it.
    { cwd: gw.policyDir, stdin: "", env: { FAKE_CLOUD_KEY: "sk-upstream-secret" } },
  );
  expect(code, err).toBe(0);
  return JSON.parse(out) as Record<string, unknown>;
}

async function dryRun(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${gw.url}/v1/route`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const user = (content: string) => [{ role: "user", content }];
const TOOLS = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
const IMAGE = [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }];

describe("policy explain predicts the dry run's refusals", { timeout: 60_000 }, () => {
  it.each([
    ["n > 1", { model: "auto", messages: user("Hello there, how are you?"), n: 2 }],
    ["n > 1 on an explicit cloud model", { model: "cloud", messages: user("Hello there"), n: 3 }],
    ["json_schema to a cloud model that has it, n > 1", { model: "fake-gpt", messages: user("Hi"), n: 2, response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } } }],
  ])("%s: the HTTP dry run's status and error", async (_label, body) => {
    const http = await dryRun(body);
    expect(http.status).toBe(400);
    const cli = await explain(body);
    expect(cli).toMatchObject({ status: http.status, error: http.json.error });
  });

  it.each([
    ["tools to a model that cannot call them", { model: "stories", messages: user("Weather in Paris?"), tools: TOOLS }],
    ["an image to a model without vision", { model: "stories", messages: IMAGE }],
    ["n > 1 to a model that also cannot call tools", { model: "stories", messages: user("Weather in Paris?"), tools: TOOLS, n: 2 }],
    ["an unknown model", { model: "no-such-model", messages: user("Hello") }],
  ])("%s: a deny whose last reason is the dry run's", async (_label, body) => {
    const http = await dryRun(body);
    expect(http.status).toBe(200);
    const cli = await explain(body);
    expect(cli).toMatchObject({ route: "deny", model: null });
    expect((cli.reasons as string[]).at(-1)).toBe((http.json.reasons as string[]).at(-1));
  });

  it("a request the gateway serves is explained as the route it takes", async () => {
    const body = { model: "cloud", messages: user("Hello there"), tools: TOOLS };
    const http = await dryRun(body);
    const cli = await explain(body);
    expect(cli).toMatchObject({ route: http.json.route, model: http.json.model });
  });

  it("--budget-exceeded for a tenant whose budgets.yaml action is deny: the gateway's 429 budget_exceeded", async () => {
    // Last: the gateway does not watch its folder here, and no other test names this tenant.
    await writeFile(join(gw.policyDir, "budgets.yaml"), "version: 1\ntenants:\n  acme: { monthly_usd: 10, action: deny }\n");
    const body = { model: "auto", messages: user("Hello there") };
    expect(await explain(body, ["--tenant", "acme", "--budget-exceeded"])).toMatchObject({ status: 429, error: { type: "rate_limit_error", code: "budget_exceeded" } });
    expect(await explain(body, ["--tenant", "globex", "--budget-exceeded"])).toMatchObject({ rule: "budget-exceeded" });
  });
});
