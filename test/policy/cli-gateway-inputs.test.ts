/**
 * `policy check` checks what the gateway started the same way would load: the classifier
 * SWITCHYARD_CLASSIFIER_DIR names (refused as serve refuses it when it is no model), and relative
 * paths taken from the operator's directory — where `npm run` was typed (INIT_CWD), not the package
 * root npm runs the script in.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { runCliProcess } from "../support/cli-process.js";

const REPO = resolve(import.meta.dirname, "../..");
const SHIPPED = join(REPO, "policies");

const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** An operator's directory holding `mypolicies`, a copy of the shipped policies. */
async function operatorDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-operator-"));
  cleanup.push(dir);
  await cp(SHIPPED, join(dir, "mypolicies"), { recursive: true });
  return dir;
}

describe("policy check: the classifier the gateway would load", { timeout: 60_000 }, () => {
  it("fails, in serve's words, when SWITCHYARD_CLASSIFIER_DIR names no model, instead of checking against the bundled one", async () => {
    const missing = join(tmpdir(), "switchyard-no-such-classifier");
    const { code, stdout, stderr } = await runCliProcess(["policy", "check", SHIPPED], { env: { SWITCHYARD_CLASSIFIER_DIR: missing } });
    expect(stdout).toBe("");
    expect(stderr).toBe(`SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: ${missing}: no such folder\n`);
    expect(code).toBe(1);
  });

  it("policy explain refuses it alike", async () => {
    const missing = join(tmpdir(), "switchyard-no-such-classifier");
    const { code, stderr } = await runCliProcess(["policy", "explain", "--request", "-", "--policy", SHIPPED], {
      env: { SWITCHYARD_CLASSIFIER_DIR: missing },
      stdin: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(stderr).toContain(`SWITCHYARD_CLASSIFIER_DIR: cannot load the intent classifier: ${missing}: no such folder`);
    expect(code).toBe(1);
  });

  it("checks against the labels of the model it names, a path relative to the operator's directory", async () => {
    const operator = await operatorDir();
    const { code, stdout, stderr } = await runCliProcess(["policy", "check", "mypolicies"], {
      env: { INIT_CWD: operator, SWITCHYARD_CLASSIFIER_DIR: relative(operator, join(REPO, "classifiers", "default")) },
    });
    expect(stderr).toBe("");
    expect(stdout).toMatch(/intents checked against 13 classifier labels\n$/);
    expect(code).toBe(0);
  });
});

describe("policy check: relative paths under npm run", { timeout: 60_000 }, () => {
  it("resolves the folder argument against where npm run was typed (INIT_CWD), not the package root", async () => {
    const operator = await operatorDir();
    // Invalid only in the operator's copy: checking the package's own policies/ instead would pass.
    await writeFile(join(operator, "mypolicies", "routing.yaml"), "version: 1\ndefault: { route: gpt-5 }\n");
    const { code, stdout, stderr } = await runCliProcess(["policy", "check", "mypolicies", "--classifier", "none"], { env: { INIT_CWD: operator } });
    expect(stdout).toBe("");
    expect(stderr).toContain(`${join(operator, "mypolicies", "routing.yaml")}:2:19: default.route: unknown model 'gpt-5'`);
    expect(code).toBe(1);
  });

  it("resolves SWITCHYARD_POLICY_DIR alike", async () => {
    const operator = await operatorDir();
    const { code, stdout } = await runCliProcess(["policy", "check", "--classifier", "none"], { env: { INIT_CWD: operator, SWITCHYARD_POLICY_DIR: "mypolicies" } });
    expect(stdout).toMatch(new RegExp(`^ok: ${join(operator, "mypolicies")}: routing policy`));
    expect(code).toBe(0);
  });
});

describe("the shipped policies when SWITCHYARD_POLICY_DIR is not set", { timeout: 60_000 }, () => {
  it("are what policy check and pii scan read, from whatever directory npm run was typed in", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "switchyard-elsewhere-"));
    cleanup.push(elsewhere);
    const check = await runCliProcess(["policy", "check", "--classifier", "none"], { env: { INIT_CWD: elsewhere } });
    expect(check.stderr).toBe("");
    expect(check.stdout).toMatch(new RegExp(`^ok: ${SHIPPED}: routing policy`));
    expect(check.code).toBe(0);
    const scan = await runCliProcess(["pii", "scan"], { env: { INIT_CWD: elsewhere }, stdin: "mail ann.lee@example.com" });
    expect(scan.stderr).toBe("");
    expect(scan.code).toBe(0);
  });

  it("are what serve loads, whatever directory it was started from", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "switchyard-elsewhere-"));
    cleanup.push(elsewhere);
    expect((await loadGatewayConfig({}, elsewhere)).policyDir).toBe(SHIPPED);
  });
});

describe("serve: the folders the environment names", () => {
  it("are relative to the directory it was started from, as SWITCHYARD_POLICY_DIR and policy check's are", async () => {
    const config = await loadGatewayConfig({ SWITCHYARD_POLICY_DIR: "policies", SWITCHYARD_CLASSIFIER_DIR: "cls", SWITCHYARD_SHADOW_POLICY_DIR: "candidate" }, REPO);
    expect(config.env).toMatchObject({ SWITCHYARD_CLASSIFIER_DIR: join(REPO, "cls"), SWITCHYARD_SHADOW_POLICY_DIR: join(REPO, "candidate") });
  });
});
