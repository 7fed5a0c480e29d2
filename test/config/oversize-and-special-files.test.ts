/**
 * A policy file over 256 KiB (intents.yaml: 1 MiB) is refused by its size before it is read (a 600 MB
 * routing.yaml must not grow the gateway by its size, nor crash `policy check` with "Cannot create a
 * string longer than…", and one of 1 MiB held the serving thread for seconds while it was parsed),
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
import { ConfigError, POLICY_FILE_LIMIT, readConfigFile } from "../../src/config/yaml-file.js";
import { INTENTS_FILE_LIMIT } from "../../src/policy/check-files.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { INTENTS_YAML, MODELS_YAML } from "../policy/support.js";

const LIMIT = POLICY_FILE_LIMIT.bytes;

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

/** `count` routing rules (~115 bytes each) sending their tenant to the cloud. */
const manyRules = (count: number) =>
  `version: 1\ndefault: { route: local }\nrules:\n${Array.from({ length: count }, (_, i) => `  - name: rule_${i}\n    when: { tenant: [t${i}, u${i}] }\n    then: { route: cloud, fallbacks: [local] }\n`).join("")}`;

/** An intents.yaml of `count` examples (~60 bytes each) over two intents. */
const manyExamples = (count: number) => {
  const examples = (intent: string) => Array.from({ length: count / 2 }, (_, i) => `      - can you help me with ${intent} question number ${i}, please?\n`).join("");
  return `version: 1\nintents:\n  greeting:\n    route: local\n    description: hi\n    examples:\n${examples("greeting")}  code:\n    route: cloud\n    description: code\n    examples:\n${examples("code")}`;
};

describe("a policy file over the size limit", () => {
  it("is refused by its size, naming the file, its size and the limit", async () => {
    const file = join(await tempDir(), "routing.yaml");
    await sparse(file, 64 * LIMIT);
    expect(await problemOf(readConfigFile(file))).toBe(`${file}: file is ${64 * LIMIT} bytes; policy files may be at most 262144 bytes (256 KiB)`);
  });

  it("one byte over is refused, exactly the limit is read", async () => {
    const file = join(await tempDir(), "budgets.yaml");
    await sparse(file, LIMIT + 1);
    expect(await problemOf(readConfigFile(file))).toMatch(/file is 262145 bytes/);
    await truncate(file, LIMIT);
    expect((await readConfigFile(file))?.length).toBe(LIMIT);
  });

  it("under the old limit of 1 MiB, is refused unparsed: 1 MiB of rules held the serving thread 1.7 s", async () => {
    const dir = await tempDir();
    const routing = manyRules(10_000);
    expect(Buffer.byteLength(routing)).toBeGreaterThan(1_000_000);
    expect(Buffer.byteLength(routing)).toBeLessThan(1024 * 1024);
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    await writeFile(join(dir, "intents.yaml"), INTENTS_YAML);
    await writeFile(join(dir, "routing.yaml"), routing);
    const before = process.cpuUsage();
    const message = await problemOf(loadPolicyDir({ dir }));
    const used = process.cpuUsage(before);
    expect(message).toBe(`${join(dir, "routing.yaml")}: file is ${Buffer.byteLength(routing)} bytes; policy files may be at most 262144 bytes (256 KiB)`);
    expect((used.user + used.system) / 1000).toBeLessThan(300);
  });

  it("at the limit, of rules, loads", async () => {
    const dir = await tempDir();
    const routing = manyRules(2_500);
    expect(Buffer.byteLength(routing)).toBeLessThanOrEqual(LIMIT);
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    await writeFile(join(dir, "intents.yaml"), INTENTS_YAML);
    await writeFile(join(dir, "routing.yaml"), routing);
    expect((await loadPolicyDir({ dir })).policy.rules).toHaveLength(2_500);
  });

  it("intents.yaml may hold 1 MiB of examples (15,000 here), and is refused past that, naming its own limit", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    await writeFile(join(dir, "routing.yaml"), "version: 1\ndefault: { route: intent_default }\n");
    const intents = manyExamples(15_000);
    expect(Buffer.byteLength(intents)).toBeGreaterThan(900_000);
    expect(Buffer.byteLength(intents)).toBeLessThanOrEqual(INTENTS_FILE_LIMIT.bytes);
    await writeFile(join(dir, "intents.yaml"), intents);
    await expect(loadPolicyDir({ dir })).resolves.toBeDefined();
    await sparse(join(dir, "intents.yaml"), INTENTS_FILE_LIMIT.bytes + 1);
    expect(await problemOf(loadPolicyDir({ dir }))).toBe(`${join(dir, "intents.yaml")}: file is 1048577 bytes; intents.yaml may be at most 1048576 bytes (1 MiB)`);
  });

  it("policy check prints the problem with exit 1, not a stack trace", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "models.yaml"), MODELS_YAML);
    await writeFile(join(dir, "intents.yaml"), INTENTS_YAML);
    await sparse(join(dir, "routing.yaml"), 64 * LIMIT);
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (chunk) => (err += String(chunk)));
    const io = { stdin: Readable.from([""]), stdout: new PassThrough(), stderr, env: {}, cwd: dir };
    expect(await createPolicyCommand({ classifierDir: "/nonexistent" }).run(["check", dir], io)).toBe(1);
    expect(err).toContain(`${join(dir, "routing.yaml")}: file is ${64 * LIMIT} bytes; policy files may be at most 262144 bytes (256 KiB)`);
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
