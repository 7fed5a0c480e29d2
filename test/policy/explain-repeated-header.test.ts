/**
 * A header sent twice reaches the gateway as one value, the two joined with ", " (HTTP's rule, as
 * Node and fetch read it): `x-team: ops` and `x-team: ml` are `ops, ml`, which `headers: { x-team: ml }`
 * does not match. `policy explain --header` given twice reads it the same way, not as the last one.
 */
import { describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { runInProcess } from "../support/cli-io.js";
import { fakeCloudGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: ml-team
    when: { headers: { x-team: ml } }
    then: { route: cloud }
  - name: both-teams
    when: { headers: { x-team: "ops, ml" } }
    then: { route: gpt-4o }
default: { route: local }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });
const BODY = { model: "auto", messages: [{ role: "user", content: "hello" }] };

describe("a repeated header", { timeout: 60_000 }, () => {
  it("policy explain --header twice decides as POST /v1/route with the header sent twice", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/route`, {
      method: "POST",
      headers: [["content-type", "application/json"], ["x-team", "ops"], ["x-team", "ml"]],
      body: JSON.stringify(BODY),
    });
    const dry = (await response.json()) as { rule: string; model: string };
    expect(dry).toMatchObject({ rule: "both-teams", model: "gpt-4o" });

    const { code, stdout, stderr } = await runInProcess(
      createPolicyCommand(),
      ["explain", "--request", "-", "--policy", cloud.gw.policyDir, "--classifier", "none", "--header", "x-team: ops", "--header", "X-Team: ml"],
      { cwd: process.cwd(), env: { FAKE_CLOUD_KEY: "set" }, stdin: JSON.stringify(BODY) },
    );
    expect(code).toBe(0);
    expect(stderr).toContain("--classifier none");
    const cli = JSON.parse(stdout) as { rule: string; model: string; features: { headers: Record<string, string> } };
    expect({ rule: cli.rule, model: cli.model }).toEqual({ rule: dry.rule, model: dry.model });
    expect(cli.features.headers["x-team"]).toBe("ops, ml");
  });
});
