/**
 * `npm run cli -- policy explain` on a folder whose budgets.yaml or pii.yaml the gateway would refuse
 * at start-up: every problem as `file:line:col: path: message` on stderr and exit 1 — no stack trace,
 * and no prediction made as if the file were not there.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCliProcess as cli } from "../support/cli-process.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const REQUEST = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] });
const BAD_BUDGETS = "version: 1\ntenants:\n  acme: { monthly_usd: -5, action: deny }\n";

describe("policy explain with a file the gateway would refuse", { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  it("--budget-exceeded with an invalid budgets.yaml: the file's problems and exit 1, no stack", async () => {
    const dir = await policyDir({ "request.json": REQUEST, "budgets.yaml": BAD_BUDGETS });
    cleanup.push(dir.remove);
    const { code, stdout, stderr } = await cli(["policy", "explain", "--request", join(dir.dir, "request.json"), "--policy", dir.dir, "--pii", "none", "--classifier", "none", "--tenant", "acme", "--budget-exceeded"]);
    expect(stderr).toMatch(new RegExp(`^${join(dir.dir, "budgets.yaml")}:3:\\d+: tenants\\.acme\\.monthly_usd: `, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("ConfigError");
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("an invalid pii.yaml: the file's problems and exit 1, not a prediction without a PII scan", async () => {
    const pii = `${await readFile(join(REPO, "policies", "pii.yaml"), "utf8")}\nbogus: 1\n`;
    const dir = await policyDir({ "request.json": REQUEST, "pii.yaml": pii });
    cleanup.push(dir.remove);
    const { code, stdout, stderr } = await cli(["policy", "explain", "--request", join(dir.dir, "request.json"), "--policy", dir.dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${join(dir.dir, "pii.yaml")}:\\d+:\\d+: Unrecognized key: "bogus"$`, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("policy check names the same budgets.yaml problem, exit 1", async () => {
    const dir = await policyDir({ "budgets.yaml": BAD_BUDGETS, "pii.yaml": await readFile(join(REPO, "policies", "pii.yaml"), "utf8") });
    cleanup.push(dir.remove);
    const { code, stderr } = await cli(["policy", "check", dir.dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${join(dir.dir, "budgets.yaml")}:3:\\d+: tenants\\.acme\\.monthly_usd: `, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(1);
  });
});
