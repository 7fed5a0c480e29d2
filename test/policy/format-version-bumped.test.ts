/**
 * `version:` in a policy file is the file format's version (only 1 exists), not a revision number of
 * the operator's: bumping it on each edit (`version: 2`) is a common slip. The problem said only
 * "Invalid input: expected 1"; it now says what the field is and where the policy's own version is.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";
import { policyDir } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const MESSAGE = "must be 1, the version of the file format (not a revision of yours: the gateway versions the policy by its content hash)";

let dir: Awaited<ReturnType<typeof policyDir>>;
beforeAll(async () => {
  dir = await policyDir({ "pii.yaml": await readFile(join(REPO, "policies", "pii.yaml"), "utf8") });
});
afterAll(() => dir?.remove());

it.each(["routing.yaml", "budgets.yaml", "pii.yaml"])("says what version: is in %s when it was bumped", async (name) => {
  const file = join(dir.dir, name);
  const original = await readFile(file, "utf8").catch(() => "version: 1\n");
  await writeFile(file, original.replace(/^version: 1\b/m, "version: 2"));
  try {
    const io = capturedIO({ cwd: REPO, env: {}, stdin: "" });
    expect(await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["check", dir.dir, "--classifier", "none"], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`${name.replace(".", "\\.")}:\\d+:\\d+: version: ${MESSAGE.replace(/[()]/g, "\\$&")}`));
  } finally {
    await writeFile(file, original);
  }
});

it.each([
  ["routing.yaml", "missing", ""],
  ["budgets.yaml", "missing", ""],
  ["routing.yaml", "written without a value", "version:\n"],
])("says version: is required in %s when it is %s", async (name, _how, replacement) => {
  const file = join(dir.dir, name);
  const original = await readFile(file, "utf8").catch(() => "version: 1\n");
  await writeFile(file, original.replace(/^version: 1\b.*\n/m, replacement));
  try {
    const io = capturedIO({ cwd: REPO, env: {}, stdin: "" });
    expect(await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["check", dir.dir, "--classifier", "none"], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`${name.replace(".", "\\.")}:\\d+:\\d+: version: required: 1, the version of the file format\\n`));
  } finally {
    await writeFile(file, original);
  }
});
