/**
 * `npm run cli -- serve` on a policy folder holding a file it cannot read (a directory in its place, a
 * symlink loop): it refuses to start with its usual "invalid configuration" message naming the file
 * and the reason, exit 1 — not a Node stack trace, and not a start as if an optional file were absent.
 */
import { mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { writePolicyDir } from "../support/gateway.js";

// A serve that wrongly starts would listen forever: it is killed, and `code` (null) says so.
const serve = (env: Record<string, string>) => runCliProcess(["serve"], { env: { PORT: "0", ...env }, killAfterMs: 60_000 });

describe("serve with an unreadable policy file", { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function folder(): Promise<string> {
    const dir = await writePolicyDir({});
    dirs.push(dir);
    return dir;
  }

  it.each([
    ["models.yaml", "directory", "is a directory, not a file"],
    ["budgets.yaml", "symlink loop", "too many levels of symbolic links (a symlink loop?)"],
    ["context.yaml", "symlink loop", "too many levels of symbolic links (a symlink loop?)"],
  ] as const)("%s is a %s: refused with the file and the reason, exit 1", async (name, kind, reason) => {
    const dir = await folder();
    const file = join(dir, name);
    await rm(file, { force: true });
    if (kind === "directory") await mkdir(file);
    else await symlink(name, file);
    const { code, stderr } = await serve({ SWITCHYARD_POLICY_DIR: dir });
    expect(stderr).toBe(`switchyard: invalid configuration:\n${file}: ${reason}\n`);
    expect(code).toBe(1);
  });
});
