/**
 * `npm run cli -- policy …` on a folder holding a policy file the gateway cannot read (a directory in
 * its place, a symlink loop): one line naming the file and the reason, exit 1 — not a Node stack
 * trace, and not a check that passes as if the optional file were absent.
 */
import { mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCliProcess as cli } from "../support/cli-process.js";
import { policyDir } from "./support.js";

const REQUEST = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] });

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("policy commands with an unreadable policy file", { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });

  async function folder(): Promise<string> {
    const dir = await policyDir({ "request.json": REQUEST });
    cleanup.push(dir.remove);
    return dir.dir;
  }

  it("policy check: budgets.yaml is a directory", async () => {
    const dir = await folder();
    await mkdir(join(dir, "budgets.yaml"));
    const { code, stderr } = await cli(["policy", "check", dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${escape(join(dir, "budgets.yaml"))}: is a directory, not a file$`, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(1);
  });

  it("policy check: budgets.yaml is a symlink loop", async () => {
    const dir = await folder();
    await symlink("budgets.yaml", join(dir, "budgets.yaml"));
    const { code, stderr } = await cli(["policy", "check", dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${escape(join(dir, "budgets.yaml"))}: too many levels of symbolic links`, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(1);
  });

  it("policy check: context.yaml is a symlink loop (not taken for an absent file)", async () => {
    const dir = await folder();
    await symlink("context.yaml", join(dir, "context.yaml"));
    const { code, stderr } = await cli(["policy", "check", dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${escape(join(dir, "context.yaml"))}: too many levels of symbolic links`, "m"));
    expect(code).toBe(1);
  });

  it("policy explain --budget-exceeded: budgets.yaml is a symlink loop", async () => {
    const dir = await folder();
    await symlink("budgets.yaml", join(dir, "budgets.yaml"));
    const { code, stdout, stderr } = await cli(["policy", "explain", "--request", join(dir, "request.json"), "--policy", dir, "--pii", "none", "--classifier", "none", "--tenant", "acme", "--budget-exceeded"]);
    expect(stderr).toMatch(new RegExp(`^${escape(join(dir, "budgets.yaml"))}: too many levels of symbolic links`, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("policy explain: pii.yaml is a symlink loop (refused as the gateway would, not 'no pii.yaml')", async () => {
    const dir = await folder();
    await symlink("pii.yaml", join(dir, "pii.yaml"));
    const { code, stdout, stderr } = await cli(["policy", "explain", "--request", join(dir, "request.json"), "--policy", dir, "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${escape(join(dir, "pii.yaml"))}: too many levels of symbolic links`, "m"));
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });

  it("policy explain: routing.yaml is a directory", async () => {
    const dir = await folder();
    const routing = join(dir, "routing.yaml");
    await rm(routing);
    await mkdir(routing);
    const { code, stdout, stderr } = await cli(["policy", "explain", "--request", join(dir, "request.json"), "--policy", dir, "--pii", "none", "--classifier", "none"]);
    expect(stderr).toMatch(new RegExp(`^${escape(routing)}: is a directory, not a file$`, "m"));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe("");
    expect(code).toBe(1);
  });
});

describe("pii scan with an unreadable policy file", { timeout: 60_000 }, () => {
  it("--policy naming a directory: one line naming it, exit 1", async () => {
    const dir = await policyDir();
    try {
      const { code, stderr } = await cli(["pii", "scan", "--policy", dir.dir]);
      expect(stderr).toBe(`${dir.dir}: is a directory, not a file\n`);
      expect(code).toBe(1);
    } finally {
      await dir.remove();
    }
  });
});
