/**
 * A policy file over 1 MiB is refused by its size before it is read (a 600 MB routing.yaml must not
 * grow the gateway by its size, nor crash `policy check` with "Cannot create a string longer than…"),
 * and a path that is no regular file — a FIFO, /dev/zero — is refused at once instead of blocking or
 * reading for ever. Both are problems naming the file, whichever loader reads it.
 */
import { createServer } from "node:net";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, MAX_CONFIG_FILE_BYTES, readConfigFile } from "../../src/config/yaml-file.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { INTENTS_YAML, MODELS_YAML } from "../policy/support.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-special-"));
  dirs.push(dir);
  return dir;
}

async function problemOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

/** A sparse file of `bytes` bytes: no disk used, and reading it whole would allocate all of them. */
async function sparse(file: string, bytes: number): Promise<void> {
  await writeFile(file, "version: 1\n");
  await truncate(file, bytes);
}

describe("a policy file over the size limit", () => {
  it("is refused by its size, naming the file", async () => {
    const file = join(await tempDir(), "routing.yaml");
    await sparse(file, 64 * MAX_CONFIG_FILE_BYTES);
    expect(await problemOf(readConfigFile(file))).toBe(`${file}: file is ${64 * MAX_CONFIG_FILE_BYTES} bytes; policy files may be at most ${MAX_CONFIG_FILE_BYTES} bytes (1 MiB)`);
  });

  it("one byte over is refused, exactly the limit is read", async () => {
    const file = join(await tempDir(), "budgets.yaml");
    await sparse(file, MAX_CONFIG_FILE_BYTES + 1);
    expect(await problemOf(readConfigFile(file))).toMatch(/file is 1048577 bytes/);
    await truncate(file, MAX_CONFIG_FILE_BYTES);
    expect((await readConfigFile(file))?.length).toBe(MAX_CONFIG_FILE_BYTES);
  });

  it("policy check prints the problem with exit 1, not a stack trace", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    await writeFile(join(dir, "intents.yaml"), INTENTS_YAML);
    await sparse(join(dir, "routing.yaml"), 64 * MAX_CONFIG_FILE_BYTES);
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (chunk) => (err += String(chunk)));
    const io = { stdin: Readable.from([""]), stdout: new PassThrough(), stderr, env: {}, cwd: dir };
    expect(await createPolicyCommand({ classifierDir: "/nonexistent" }).run(["check", dir], io)).toBe(1);
    expect(err).toContain(`${join(dir, "routing.yaml")}: file is ${64 * MAX_CONFIG_FILE_BYTES} bytes`);
  });
});

describe("a policy file that is no regular file", () => {
  it("a FIFO is refused at once (opening it would wait for a writer)", { timeout: 5_000 }, async () => {
    const dir = await tempDir();
    const file = join(dir, "routing.yaml");
    execFileSync("mkfifo", [file]);
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    expect(await problemOf(loadPolicyDir({ dir }))).toContain(`${file}: is not a regular file (a FIFO, socket or device); policy files must be regular files`);
  });

  it("a Unix socket is refused with the same words (open() fails on it with ENXIO)", { timeout: 5_000 }, async () => {
    const file = join(await tempDir(), "budgets.yaml");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(file, resolve));
    try {
      expect(await problemOf(readConfigFile(file))).toBe(`${file}: is not a regular file (a FIFO, socket or device); policy files must be regular files`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a symlink to /dev/zero is refused, not read for ever", { timeout: 5_000 }, async () => {
    const file = join(await tempDir(), "budgets.yaml");
    await symlink("/dev/zero", file);
    expect(await problemOf(readConfigFile(file))).toBe(`${file}: is not a regular file (a FIFO, socket or device); policy files must be regular files`);
  });
});
