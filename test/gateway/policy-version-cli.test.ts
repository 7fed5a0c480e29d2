/**
 * The CLI and the gateway name one policy by one version: `policy check` and `policy explain` on the
 * gateway's own policy folder print the version its responses carry in `x-switchyard-policy` and
 * `GET /admin/policies` reports, so an operator can tell whether the running gateway has a folder's
 * policy.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ADMIN_KEY = "admin-secret-0123456789";
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout: out, stderr: err } = await runInProcess(createPolicyCommand({ classifierDir: "/nonexistent/classifier" }), argv, { cwd: gw.policyDir, stdin: "" });
  return { code, out, err };
}

async function gatewayVersions(): Promise<{ header: string | null; admin: string }> {
  const route = await fetch(`${gw.url}/v1/route`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Hello there" }] }),
  });
  await route.body?.cancel();
  const admin = await fetch(`${gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return { header: route.headers.get("x-switchyard-policy"), admin: ((await admin.json()) as { version: string }).version };
}

describe("policy version: CLI and gateway agree", { timeout: 60_000 }, () => {
  it("policy check and policy explain print the version the gateway reports for the same folder", async () => {
    const { header, admin } = await gatewayVersions();
    expect(header).toMatch(/^[0-9a-f]{12}$/);
    expect(admin).toBe(header);

    const check = await cli(["check", gw.policyDir]);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toContain(`routing policy ${header},`);

    const request = join(gw.policyDir, "request.test.json");
    await writeFile(request, JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Hello there" }] }));
    const explain = await cli(["explain", "--request", request, "--policy", gw.policyDir, "--pii", "none"]);
    expect(explain.code, explain.err).toBe(0);
    expect((JSON.parse(explain.out) as { policy: string }).policy).toBe(header);
  });

  it("the gateway's version covers models.yaml: the folder's files as listed by /admin/policies include it", async () => {
    const admin = await fetch(`${gw.url}/admin/policies`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const status = (await admin.json()) as { files: { path: string; sha256: string }[] };
    const models = status.files.find((f) => f.path === join(gw.policyDir, "models.yaml"));
    expect(models).toBeDefined();
    const { createHash } = await import("node:crypto");
    expect(models!.sha256).toBe(createHash("sha256").update(await readFile(join(gw.policyDir, "models.yaml"), "utf8")).digest("hex"));
  });
});
