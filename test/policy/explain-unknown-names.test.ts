/**
 * `policy explain` refuses an intent or a PII type the gateway could never see. A misspelt
 * `--intent code_generaton` (or `--pii EMAIL`) was explained as given: no rule naming the real name
 * fired, and the operator read a decision the gateway never makes for that request, with no word why.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/command.js";
import { createPolicyCommand, type PolicyCommandDeps } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";

const REPO = resolve(import.meta.dirname, "../..");
const SHIPPED = join(REPO, "policies");
// No classifier folder: intent names are checked against the shipped intents.yaml's.
const NO_CLASSIFIER: PolicyCommandDeps = { classifierDir: "/nonexistent/classifier" };

let dir: string;
let request: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-explain-"));
  request = join(dir, "request.json");
  await writeFile(request, JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] }));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const explain = (...flags: string[]) => {
  const io = capturedIO({ cwd: REPO, env: {} });
  return { io, run: createPolicyCommand(NO_CLASSIFIER).run(["explain", "--request", request, "--policy", SHIPPED, ...flags], io) };
};

describe("policy explain with names the gateway never sees", () => {
  it("refuses an unknown --intent, listing the known ones", async () => {
    const { run } = explain("--intent", "code_generaton", "--pii", "none");
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/^--intent: unknown intent 'code_generaton'; known: .*\bcode_generation\b/);
  });

  it("refuses an unknown intent in --sticky", async () => {
    await expect(explain("--sticky", "gpt-4o:2:code_generaton", "--pii", "none").run).rejects.toThrow(/^--sticky: unknown intent 'code_generaton'/);
  });

  it("refuses an unknown --pii type, listing the known ones", async () => {
    await expect(explain("--intent", "faq", "--pii", "EMAIL_ADDRESS,EMAIL").run).rejects.toThrow(/^--pii: unknown PII type 'EMAIL'; known: EMAIL_ADDRESS, /);
  });

  it("still explains with known names", async () => {
    const { io, run } = explain("--intent", "code_generation", "--pii", "EMAIL_ADDRESS", "--sticky", "gpt-4o:2:code_generation");
    expect(await run).toBe(0);
    // personal-data-prefers-local (pinned) decides before any intent rule: the gateway does not classify.
    expect(JSON.parse(io.out())).toMatchObject({ rule: "personal-data-prefers-local", intent: null, features: { piiTypes: ["EMAIL_ADDRESS"] } });
    const intentOnly = explain("--intent", "code_generation", "--pii", "none");
    expect(await intentOnly.run).toBe(0);
    expect(JSON.parse(intentOnly.io.out())).toMatchObject({ rule: "code-and-reasoning", intent: "code_generation" });
  });
});
