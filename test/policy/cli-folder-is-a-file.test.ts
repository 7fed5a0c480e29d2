/**
 * A policy file given where the policy folder goes — `policy check policies/routing.yaml`,
 * `--policy …/routing.yaml`, `SWITCHYARD_POLICY_DIR=…/routing.yaml` — is one problem saying so and
 * naming the folder to give, not a "component of the path is not a directory" for each file under
 * made-up paths such as `routing.yaml/models.yaml`.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess as cli } from "../support/cli-process.js";
import { policyDir } from "./support.js";

const REQUEST = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] });

describe("a policy file given as the policy folder", { timeout: 60_000 }, () => {
  let dir: Awaited<ReturnType<typeof policyDir>>;
  let routing: string;
  beforeAll(async () => {
    dir = await policyDir({ "request.json": REQUEST });
    routing = join(dir.dir, "routing.yaml");
  });
  afterAll(() => dir?.remove());

  const saysItIsAFile = (stderr: string) => {
    expect(stderr).toContain(`${routing}: is a file, not a policy folder; give the folder that holds routing.yaml (${dir.dir})`);
    expect(stderr).not.toContain("routing.yaml/");
    expect(stderr).not.toMatch(/^\s+at /m);
  };

  it("policy check", async () => {
    const { code, stderr } = await cli(["policy", "check", routing, "--classifier", "none"]);
    saysItIsAFile(stderr);
    expect(stderr).toContain("policy check: 1 problem in");
    expect(code).toBe(1);
  });

  it("policy explain --policy", async () => {
    const { code, stderr } = await cli(["policy", "explain", "--request", join(dir.dir, "request.json"), "--policy", routing, "--classifier", "none"]);
    saysItIsAFile(stderr);
    expect(code).toBe(1);
  });

  it("serve with SWITCHYARD_POLICY_DIR", async () => {
    const { code, stderr } = await cli(["serve"], { env: { SWITCHYARD_POLICY_DIR: routing, PORT: "0" }, killAfterMs: 30_000 });
    saysItIsAFile(stderr);
    expect(code).toBe(1);
  });
});
