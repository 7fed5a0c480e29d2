/**
 * A client naming the local model (`local`, or its id) under the shipped policy (rule `explicit-model`:
 * `route: requested`, pinned, `degrade` allowed; `degrade.local_overload: cloud`) gets the same kind of
 * answer whether that model cannot take the request because its queue is full (found at run time) or
 * because it failed to load (found at decision time): the default cloud model answers, reported as the
 * fallback it is (`x-switchyard-fallback`, usage `fallback: true`), and the dry run and `policy
 * explain` name it. Where the rule allows no last resort, the 503 `no_available_target` stays.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { runInProcess } from "../support/cli-io.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { postJson, SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { usageRecords } from "../support/usage-api.js";

/** The shipped routing.yaml, with one rule ahead of it that names the local model and allows no last resort. */
const NO_DEGRADE_RULE = `
  - name: local-only-header
    when: { headers: { x-local-only: "1" } }
    then: { route: requested, pin: true, degrade: false }
`;

let fake: FakeOpenAI;
let gw: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const shipped = readFileSync(join(SHIPPED_POLICIES, "routing.yaml"), "utf8");
  const routing = shipped.replace(/^rules:\n/m, `rules:${NO_DEGRADE_RULE}`);
  expect(routing).not.toBe(shipped);
  // pii.yaml keeps e-mail addresses on the host: a request holding one cannot take the cloud last resort.
  const shippedPii = readFileSync(join(SHIPPED_POLICIES, "pii.yaml"), "utf8");
  const pii = shippedPii.replace(/^  budget_ms: \d+/m, "  budget_ms: 5000").replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }");
  expect(pii).toContain("EMAIL_ADDRESS: { cloud: keep_local }");
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0, localPath: "/nonexistent/model.gguf" }),
    files: { "routing.yaml": routing, "pii.yaml": pii },
  });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 });

/** The usage record of the request `headers` answered. */
async function usageOf(headers: Headers): Promise<Record<string, string> | undefined> {
  const id = headers.get("x-request-id");
  const deadline = Date.now() + 5000;
  for (;;) {
    const row = (await usageRecords(gw.url, "unused", 1)).find((r) => r.request_id === id);
    if (row || Date.now() > deadline) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a client naming the local model while it failed to load (shipped policy)", { timeout: 60_000 }, () => {
  it.each(["local", "stories"])("'%s' is answered by the default cloud model, reported as a fallback from it", async (model) => {
    const before = fake.requests.length;
    const logged = gw.logs.length;
    const real = await postJson(gw.url, "/v1/chat/completions", ask(model));
    expect(real.status, JSON.stringify(real.json)).toBe(200);
    expect(real.headers.get("x-switchyard-model")).toBe("fake-gpt");
    expect(readFallbackHeader(real.headers.get("x-switchyard-fallback") ?? "")).toEqual(["stories", "fake-gpt"]);
    expect(await usageOf(real.headers)).toMatchObject({ route: "cloud", model: "fake-gpt", fallback: "true", status: "200" });
    expect(fake.requests.length).toBe(before + 1);
    const warnings = gw.logs.slice(logged).map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.level === 40);
    expect(warnings).toContainEqual(expect.objectContaining({ model: "stories", code: "model_unavailable", next: "fake-gpt", msg: "target not ready; falling back" }));
  });

  it.each(["local", "stories"])("the dry run for '%s' names the same model and the fallback", async (model) => {
    const dry = await postJson(gw.url, "/v1/route", ask(model));
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "cloud", model: "fake-gpt", rule: "explicit-model" });
    expect(dry.json.reasons).toContain("skipped stories: local model not ready (loading, or failed to load: see /readyz)");
    expect(dry.json.reasons).toContain("fallback from stories, the model asked for: it is not ready (loading, or failed to load)");
  });

  it("policy explain --local-unhealthy prints the dry run's decision", async () => {
    const dry = await postJson(gw.url, "/v1/route", ask("local"));
    const request = join(gw.policyDir, "request.test.json");
    await writeFile(request, JSON.stringify(ask("local")));
    const cli = await runInProcess(
      createPolicyCommand({ classifierDir: "/nonexistent/classifier" }),
      ["explain", "--request", request, "--policy", gw.policyDir, "--pii", "none", "--local-unhealthy"],
      { cwd: gw.policyDir, stdin: "", env: { FAKE_CLOUD_KEY: "set" } },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ route: dry.json.route, model: dry.json.model, rule: dry.json.rule, fallbacks: dry.json.fallbacks });
    expect(out.reasons).toEqual(dry.json.reasons);
    expect(out.decision).toMatchObject({ kind: "route", model: "fake-gpt", fallbackFrom: "stories" });
  });

  it("a request pii.yaml keeps on the host gets the local model's own 503, with no fallback reported (it is the model asked for)", async () => {
    const before = fake.requests.length;
    const real = await postJson(gw.url, "/v1/chat/completions", { ...ask("local"), messages: [{ role: "user", content: "Write to maria.lopez@example.net" }] });
    expect(real.status).toBe(503);
    expect(real.json.error).toMatchObject({ code: "model_unavailable" });
    expect(real.headers.get("x-switchyard-fallback")).toBeNull();
    expect(await usageOf(real.headers)).toMatchObject({ model: "stories", fallback: "false", status: "503", error: "model_unavailable" });
    expect(fake.requests.length).toBe(before);
  });

  it("with no last resort allowed (degrade: false), keeps the 503 no_available_target (dry run too)", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-local-only": "1" },
      body: JSON.stringify(ask("local")),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("no_available_target");
    expect(res.headers.get("x-should-retry")).toBe("false");
    const dry = await fetch(`${gw.url}/v1/route`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-local-only": "1" },
      body: JSON.stringify(ask("local")),
    });
    const json = (await dry.json()) as { route: string; reasons: string[] };
    expect(json.route).toBe("deny");
    expect(json.reasons.at(-1)).toMatch(/^denied with 503 no_available_target: /);
  });
});
