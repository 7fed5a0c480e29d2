/**
 * `policy explain` takes the step-down the gateway takes when pii.yaml keeps a cloud-bound request on
 * the host (`keptOnHost`): it names the on-host target, or prints the gateway's 503 `pii_keep_local`
 * when no local model can serve the request — not the cloud model.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");

const io = () => capturedIO({ cwd: REPO, stdin: "" });

const EMAIL = [{ role: "user", content: "Please write to maria.lopez@example.net about her refund" }];
const TOOLS = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];

describe("policy explain: pii.yaml keep_local", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function explain(body: unknown) {
    const shipped = await readFile(join(REPO, "policies", "pii.yaml"), "utf8");
    const pii = shipped.replace(/^  EMAIL_ADDRESS: \{\}/m, "  EMAIL_ADDRESS: { cloud: keep_local }");
    expect(pii).toContain("EMAIL_ADDRESS: { cloud: keep_local }");
    const dir = await policyDir({ "routing.yaml": "version: 1\nrules: []\ndefault: { route: cloud }\n", "pii.yaml": pii, "request.json": JSON.stringify(body) });
    cleanup.push(dir.remove);
    const cli = io();
    const code = await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["explain", "--request", join(dir.dir, "request.json"), "--policy", dir.dir], cli);
    expect(code).toBe(0);
    return JSON.parse(cli.out()) as Record<string, unknown>;
  }

  it("names the local hop for an e-mail address", async () => {
    const out = await explain({ model: "auto", messages: EMAIL });
    expect(out).toMatchObject({ route: "local", model: "local-slm", pii: { types: ["EMAIL_ADDRESS"] } });
    expect((out.reasons as string[]).join("\n")).toContain("gpt-4o-mini: pii.yaml keep_local (EMAIL_ADDRESS): no cloud");
  });

  it("prints the 503 pii_keep_local when the local model cannot serve it (tools)", async () => {
    const out = await explain({ model: "auto", messages: EMAIL, tools: TOOLS });
    expect(out).toMatchObject({ status: 503, error: { code: "pii_keep_local", type: "server_error" } });
  });

  it("leaves a request without such PII on the cloud", async () => {
    expect(await explain({ model: "auto", messages: [{ role: "user", content: "hello there" }] })).toMatchObject({ route: "cloud", model: "gpt-4o-mini" });
  });
});
