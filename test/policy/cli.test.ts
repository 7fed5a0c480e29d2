import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/command.js";
import { commands } from "../../src/cli/commands.js";
import { createPolicyCommand, DEFAULT_CLASSIFIER_DIR, type PolicyCommandDeps } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");

function io(options: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return capturedIO({ cwd: options.cwd ?? REPO, env: options.env ?? {}, stdin: options.stdin ?? "" });
}

const NO_CLASSIFIER: PolicyCommandDeps = { classifierDir: "/nonexistent/classifier" };

/** A policy directory the gateway could start on: `policy check` also checks pii.yaml, which it needs. */
const checkableDir = async () => policyDir({ "pii.yaml": await readFile(join(REPO, "policies", "pii.yaml"), "utf8") });

describe("policy check", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  it("is registered in the CLI's command table", async () => {
    const command = await commands.policy!();
    expect(command.summary).toMatch(/routing policy/);
  });

  it("passes a good directory with exit 0", async () => {
    const dir = await checkableDir();
    cleanup.push(dir.remove);
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["check", dir.dir], cli)).toBe(0);
    expect(cli.out()).toMatch(/^ok: .*: routing policy [0-9a-f]{12}, 1 rules \+ default; files: /);
    expect(cli.err()).toBe("");
  });

  it("checks the shipped policies/ (the default, relative to the working directory)", async () => {
    const cli = io();
    expect(await createPolicyCommand().run(["check"], cli)).toBe(0);
    expect(cli.out()).toContain(join(REPO, "policies"));
    if (existsSync(join(DEFAULT_CLASSIFIER_DIR, "config.json"))) expect(cli.out()).toMatch(/intents checked against \d+ classifier labels/);
  });

  it("honours SWITCHYARD_POLICY_DIR", async () => {
    const dir = await checkableDir();
    cleanup.push(dir.remove);
    const cli = io({ env: { SWITCHYARD_POLICY_DIR: dir.dir } });
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["check"], cli)).toBe(0);
    expect(cli.out()).toContain(dir.dir);
  });

  it("fails a bad directory with exit 1 and every problem as file:line:col", async () => {
    const dir = await policyDir({
      "routing.yaml": "version: 1\nrules:\n  - name: a\n    when: { intent: cod }\n    then: { route: gpt-5 }\ndefault: { route: local, typo: 1 }\n",
    });
    cleanup.push(dir.remove);
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["check", dir.dir], cli)).toBe(1);
    expect(cli.err()).toContain(`${join(dir.dir, "routing.yaml")}:6:10: default: Unrecognized key: "typo"`);
    expect(cli.out()).toBe("");
  });

  it("checks intents against the classifier's labels", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const cli = io();
    expect(await createPolicyCommand({ ...NO_CLASSIFIER, labels: ["greeting"] }).run(["check", dir.dir], cli)).toBe(1);
    expect(cli.err()).toMatch(/routing\.yaml:5:21: rules\[0\]\.when\.intent: unknown intent 'code'; the classifier knows: greeting/);
  });

  it("checks intent names against the labels of the model --classifier names", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const cli = io();
    expect(await createPolicyCommand().run(["check", dir.dir, "--classifier", DEFAULT_CLASSIFIER_DIR], cli)).toBe(1);
    expect(cli.err()).toMatch(/unknown intent 'code'; the classifier knows: .*greeting_smalltalk/);
  });

  it("--classifier none checks intent names against intents.yaml only", async () => {
    const dir = await checkableDir();
    cleanup.push(dir.remove);
    const cli = io();
    expect(await createPolicyCommand({ labels: ["greeting"] }).run(["check", dir.dir, "--classifier", "none"], cli)).toBe(0);
  });

  it("reports a missing directory", async () => {
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["check", "/nonexistent/policies"], cli)).toBe(1);
    expect(cli.err()).toContain("/nonexistent/policies/routing.yaml: file not found");
  });

  it("treats bad usage as a UsageError (exit 2 from the dispatcher)", async () => {
    const command = createPolicyCommand(NO_CLASSIFIER);
    await expect(command.run([], io())).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(["lint"], io())).rejects.toThrow(/unknown subcommand 'lint'/);
    await expect(command.run(["check", "a", "b"], io())).rejects.toBeInstanceOf(UsageError);
    await expect(command.run(["explain"], io())).rejects.toThrow(/needs --request/);
    await expect(command.run(["explain", "--request", "x.json", "--bogus"], io())).rejects.toBeInstanceOf(UsageError);
  });

  it("runs as a real subprocess: npx tsx src/main.ts policy check <dir>", { timeout: 120_000 }, async () => {
    const good = await checkableDir();
    const bad = await policyDir({ "routing.yaml": "version: 1\ndefault: { route: gpt-5 }\n" });
    cleanup.push(good.remove, bad.remove);
    const run = async (dir: string) => {
      try {
        const { stdout, stderr } = await promisify(execFile)("npx", ["tsx", "src/main.ts", "policy", "check", dir, "--classifier", "none"], { cwd: REPO });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };
    const [ok, failed] = await Promise.all([run(good.dir), run(bad.dir)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: /);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${join(bad.dir, "routing.yaml")}:2:19: default.route: unknown model 'gpt-5'`);
  });
});

describe("policy explain", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function setup(request: unknown) {
    const dir = await policyDir({ "request.json": typeof request === "string" ? request : JSON.stringify(request) });
    cleanup.push(dir.remove);
    return { dir: dir.dir, request: join(dir.dir, "request.json") };
  }
  const hello = { model: "auto", messages: [{ role: "user", content: "hello there" }] };

  it("prints the dry-run decision JSON, with the intent given on the command line", async () => {
    const { dir, request } = await setup(hello);
    const cli = io();
    const code = await createPolicyCommand(NO_CLASSIFIER).run(
      ["explain", "--request", request, "--policy", dir, "--intent", "code", "--confidence", "0.8", "--pii", "none", "--tenant", "globex"],
      cli,
    );
    expect(code).toBe(0);
    const out = JSON.parse(cli.out()) as Record<string, unknown>;
    expect(out).toMatchObject({
      route: "cloud",
      model: "gpt-4o-mini",
      rule: "code-to-cloud",
      fallbacks: ["local-slm"],
      intent: "code",
      confidence: 0.8,
      unsure: false,
      features: { tenant: "globex", turns: 1, piiTypes: [] },
      pii: { types: [], action: "default" },
      decision: { kind: "route", rule: "code-to-cloud", ruleIndex: 0 },
    });
    expect(out.policy).toMatch(/^[0-9a-f]{12}$/);
    expect(cli.err()).toBe("");
  });

  it("reads a request file that starts with a UTF-8 byte order mark (as Windows editors save it)", async () => {
    const { dir, request } = await setup(`\uFEFF${JSON.stringify(hello)}`);
    const cli = io();
    const code = await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", dir, "--intent", "code", "--confidence", "0.8", "--pii", "none"], cli);
    expect(cli.err()).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(cli.out())).toMatchObject({ route: "cloud", rule: "code-to-cloud" });
  });

  it("simulates the run-time features from flags", async () => {
    const { dir, request } = await setup(hello);
    const routing = `
version: 1
sticky: { turns: 2 }
rules:
  - { name: budget, when: { budget_exceeded: true }, then: { deny: { status: 429, message: "Budget spent." } } }
  - { name: busy, when: { local_queue_above: 4 }, then: { route: cloud } }
  - { name: down, when: { local_healthy: false }, then: { route: gpt-4o } }
  - { name: secret, when: { pii_found: SECRET }, then: { route: local, pii: keep_local } }
  - { name: team, when: { headers: { x-team: ml } }, then: { route: gpt-4o, max_tokens: 100 } }
  - { name: long, when: { prompt_tokens_above: 5000 }, then: { route: cloud } }
default: { route: local }
`;
    await writeFile(join(dir, "routing.yaml"), routing);
    const explain = async (...flags: string[]) => {
      const cli = io();
      expect(await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", dir, "--pii", "none", ...flags], cli)).toBe(0);
      return JSON.parse(cli.out()) as { rule: string; model: string | null; route: string; reasons: string[]; features: Record<string, unknown> };
    };
    expect(await explain("--budget-exceeded")).toMatchObject({ rule: "budget", route: "deny", model: null });
    expect(await explain("--local-queue", "5")).toMatchObject({ rule: "busy", model: "gpt-4o-mini" });
    expect(await explain("--local-unhealthy")).toMatchObject({ rule: "down", model: "gpt-4o" });
    expect(await explain("--pii", "SECRET,EMAIL_ADDRESS")).toMatchObject({ rule: "secret", model: "local-slm", features: { piiTypes: ["SECRET", "EMAIL_ADDRESS"] } });
    expect(await explain("--header", "X-Team: ml")).toMatchObject({ rule: "team", model: "gpt-4o", features: { headers: { "x-team": "ml" } } });
    expect(await explain("--prompt-tokens", "6000")).toMatchObject({ rule: "long", model: "gpt-4o-mini" });
    const sticky = await explain("--sticky", "gpt-4o:2");
    expect(sticky).toMatchObject({ rule: "default", model: "gpt-4o" });
    expect(sticky.reasons).toContain("sticky session: stays on gpt-4o");
  });

  it("uses an injected classifier and PII scanner", async () => {
    const { dir, request } = await setup({ model: "auto", messages: [{ role: "user", content: "please write code" }] });
    const seen: string[] = [];
    const cli = io();
    const command = createPolicyCommand({
      ...NO_CLASSIFIER,
      classify: (text) => {
        seen.push(text);
        return { intent: "code", confidence: 0.99, unsure: false };
      },
      scanPii: (texts) => ({ types: texts.some((t) => t.includes("code")) ? ["PERSON"] : [], counts: { PERSON: 1 } }),
    });
    expect(await command.run(["explain", "--request", request, "--policy", dir], cli)).toBe(0);
    expect(seen).toEqual(["please write code"]);
    expect(JSON.parse(cli.out())).toMatchObject({ rule: "code-to-cloud", intent: "code", pii: { types: ["PERSON"], counts: { PERSON: 1 } } });
  });

  it("degrades visibly without a classifier or a PII policy", async () => {
    const { dir, request } = await setup(hello);
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", dir], cli)).toBe(0);
    expect(cli.err()).toMatch(/note: no intent classifier \(\/nonexistent\/classifier does not exist\); explaining without an intent/);
    expect(cli.err()).toMatch(/note: no .*pii\.yaml; explaining without a PII scan/);
    // No intent: intent_default falls back to unclassified_route (cloud by default).
    expect(JSON.parse(cli.out())).toMatchObject({ rule: "default", route: "cloud", intent: null, confidence: null, unsure: null });
  });

  it("degrades when the classifier module is missing or does not export loadIntentClassifier", async () => {
    const { dir, request } = await setup(hello);
    const missing = io();
    await createPolicyCommand({ classifierDir: dir, classifierModule: "file:///nonexistent/classifiers/index.js" }).run(
      ["explain", "--request", request, "--policy", dir, "--pii", "none"],
      missing,
    );
    expect(missing.err()).toMatch(/note: no intent classifier \(cannot load classifiers\/index\.ts: /);
    const odd = join(dir, "odd-classifier.mjs");
    await writeFile(odd, "export const somethingElse = 1;\n");
    const wrong = io();
    await createPolicyCommand({ classifierDir: dir, classifierModule: `file://${odd}` }).run(["explain", "--request", request, "--policy", dir, "--pii", "none"], wrong);
    expect(wrong.err()).toMatch(/exports no loadIntentClassifier/);
  });

  it("loads a classifier module's loadIntentClassifier(dir) and uses its classify()", async () => {
    const { dir, request } = await setup({ model: "auto", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "write code" }] });
    const fake = join(dir, "fake-classifier.mjs");
    await writeFile(
      fake,
      `export async function loadIntentClassifier(dir) {
         return { async classify(text) { return { intent: text.includes("code") ? "code" : "greeting", confidence: 0.9, unsure: false, top: [], dir }; } };
       }\n`,
    );
    const cli = io();
    expect(await createPolicyCommand({ classifierDir: dir, classifierModule: `file://${fake}` }).run(["explain", "--request", request, "--policy", dir, "--pii", "none"], cli)).toBe(0);
    expect(JSON.parse(cli.out())).toMatchObject({ intent: "code", confidence: 0.9, rule: "code-to-cloud", features: { turns: 2 } });
    expect(cli.err()).toBe("");
  });

  it.skipIf(!existsSync(join(DEFAULT_CLASSIFIER_DIR, "config.json")))("uses the shipped classifier by default", async () => {
    const cli = io();
    const request = join(REPO, "test", "policy", "fixtures", "code-request.json");
    expect(await createPolicyCommand().run(["explain", "--request", request, "--pii", "none"], cli)).toBe(0);
    expect(cli.err()).not.toMatch(/no intent classifier/);
    const out = JSON.parse(cli.out()) as { intent: string; confidence: number };
    expect(typeof out.intent).toBe("string");
    expect(out.confidence).toBeGreaterThan(0);
  });

  it("reads the request from stdin with --request -", async () => {
    const { dir } = await setup(hello);
    const cli = io({ stdin: JSON.stringify(hello) });
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", "-", "--policy", dir, "--intent", "greeting", "--pii", "none"], cli)).toBe(0);
    expect(JSON.parse(cli.out())).toMatchObject({ rule: "default", model: "local-slm" });
  });

  it.each([
    ["not JSON", "{", /request\.json: The request body is not valid JSON/],
    ["not a chat request", { model: "auto", messages: [] }, /request\.json: messages: must contain at least one message/],
  ])("rejects a request file that is %s with exit 1", async (_label, body, pattern) => {
    const { dir, request } = await setup(body);
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", dir], cli)).toBe(1);
    expect(cli.err()).toMatch(pattern);
  });

  it("exits 1 with file:line:col when the policy is invalid", async () => {
    const { dir, request } = await setup(hello);
    await writeFile(join(dir, "routing.yaml"), "version: 1\ndefault: { route: nowhere }\n");
    const cli = io();
    expect(await createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", dir, "--pii", "none"], cli)).toBe(1);
    expect(cli.err()).toMatch(/routing\.yaml:2:19: default\.route: unknown model 'nowhere'/);
  });
});
