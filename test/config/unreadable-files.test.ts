/**
 * A policy file the gateway cannot read — a directory where the file should be, a symlink loop, a
 * file without read permission — is a configuration problem like a typo in it: a `ConfigError`
 * naming the file and the reason in words, never a raw Node I/O error (which the CLI would print
 * as a stack trace) and never silently treated as an absent optional file.
 *
 * Directories and symlink loops are used because they fail for root too (chmod 000 does not).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../src/config/load.js";
import { ConfigError, loadYamlFile } from "../../src/config/yaml-file.js";
import { loadContextConfig } from "../../src/context/config.js";
import { loadPiiPolicy } from "../../src/pii/policy/load.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { loadBudgetPolicy } from "../../src/usage/budgets/load.js";
import { readFailure } from "../../src/config/read-failure.js";
import { z } from "zod";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-unreadable-"));
  dirs.push(dir);
  return dir;
}

/** `name` in a fresh folder, made unreadable as a directory or as a symlink pointing at itself. */
async function unreadable(name: string, kind: "directory" | "loop"): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = join(dir, name);
  if (kind === "directory") await mkdir(file);
  else await symlink(name, file);
  return { dir, file };
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const REASON = { directory: "is a directory, not a file", loop: "too many levels of symbolic links (a symlink loop?)" } as const;

describe.each(["directory", "loop"] as const)("a policy file that is a %s", (kind) => {
  it("loadYamlFile: one problem naming the file and the reason", async () => {
    const { file } = await unreadable("any.yaml", kind);
    const error = await configError(loadYamlFile(file, z.object({})));
    expect(error.message).toBe(`${file}: ${REASON[kind]}`);
  });

  it("budgets.yaml (optional): a ConfigError, not a raw I/O error and not 'no budgets'", async () => {
    const { file } = await unreadable("budgets.yaml", kind);
    expect((await configError(loadBudgetPolicy(file))).message).toBe(`${file}: ${REASON[kind]}`);
  });

  it("context.yaml (optional): a ConfigError, not the defaults as if the file were absent", async () => {
    const { dir, file } = await unreadable("context.yaml", kind);
    expect((await configError(loadContextConfig({}, dir))).message).toBe(`${file}: ${REASON[kind]}`);
  });

  it("pii.yaml: a ConfigError naming the file", async () => {
    const { file } = await unreadable("pii.yaml", kind);
    expect((await configError(loadPiiPolicy(file))).message).toBe(`${file}: ${REASON[kind]}`);
  });

  it("models.yaml: a ConfigError naming the file", async () => {
    const { dir, file } = await unreadable("models.yaml", kind);
    expect((await configError(loadGatewayConfig({ SWITCHYARD_POLICY_DIR: dir }, dir))).message).toBe(`${file}: ${REASON[kind]}`);
  });

  it("routing.yaml: a ConfigError naming the file", async () => {
    const { dir, file } = await unreadable("routing.yaml", kind);
    const error = await configError(loadPolicyDir({ dir }));
    expect(error.message.split("\n")[0]).toBe(`${file}: ${REASON[kind]}`);
  });
});

describe("readFailure", () => {
  it("words the errors an operator can fix, and keeps the code of the others", () => {
    const io = (code: string) => Object.assign(new Error(`${code}: something, open 'x'`), { code });
    expect(readFailure(io("ENOENT"))).toBe("file not found");
    expect(readFailure(io("EACCES"))).toBe("permission denied");
    expect(readFailure(io("EPERM"))).toBe("permission denied");
    expect(readFailure(io("EISDIR"))).toBe("is a directory, not a file");
    expect(readFailure(io("EMFILE"))).toBe("I/O error EMFILE");
  });

  it("is undefined for an error that is not an I/O error, so the caller rethrows it", () => {
    expect(readFailure(new TypeError("boom"))).toBeUndefined();
    expect(readFailure("boom")).toBeUndefined();
    expect(readFailure(Object.assign(new TypeError("path must not contain null bytes"), { code: "ERR_INVALID_ARG_VALUE" }))).toBeUndefined();
  });
});

it("a missing optional budgets.yaml still means no budgets", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "other.yaml"), "");
  expect(await loadBudgetPolicy(join(dir, "budgets.yaml"))).toMatchObject({ tenants: {} });
});
