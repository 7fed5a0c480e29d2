/**
 * A gateway that cannot start exits 1, with Redis configured too. Its Redis connections were opened
 * before the policy files were read (and before it listened), and stayed open after start-up failed:
 * the process printed why and then hung, never exiting — an invalid routing.yaml, the most common
 * start-up failure, left a supervisor waiting on a process that would never serve.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../support/redis-server.js";
import { runCliProcess } from "../support/cli-process.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-startup-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * `serve` with Redis and a copy of the default policies with `files` written over; killed (code null)
 * if it has not exited in 100 s (a hang never exits; a loaded machine took 36 s to start and stop).
 */
async function serveWithRedis(files: Record<string, string>, env: Record<string, string> = {}) {
  const policies = await mkdtemp(join(dir, "policies-"));
  await cp(resolve(import.meta.dirname, "../../policies"), policies, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(policies, name), text);
  return runCliProcess(["serve"], { env: { REDIS_URL: inject("redisUrl"), SWITCHYARD_POLICY_DIR: policies, ...env }, killAfterMs: 100_000 });
}

describe("serve with Redis configured, failing to start", { timeout: 150_000 }, () => {
  it("exits 1 on an invalid routing.yaml", async () => {
    const { code, stderr } = await serveWithRedis({ "routing.yaml": "version: 1\ndefault: { route: no-such-model }\n" });
    expect(stderr).toContain("unknown model 'no-such-model'");
    expect(code).toBe(1);
  });

  it("exits 1 on an invalid budgets.yaml", async () => {
    const { code, stderr } = await serveWithRedis({ "budgets.yaml": "version: 1\ntenants: 3\n" });
    expect(stderr).toContain("budgets.yaml");
    expect(code).toBe(1);
  });

  it("exits 1 naming the address on a link-local IPv6 HOST without its interface", async () => {
    const port = await freePort();
    const { code, stderr } = await serveWithRedis({}, { HOST: "fe80::1", PORT: String(port) });
    expect(stderr).toContain(`switchyard: cannot listen on fe80::1:${port}: the address cannot be listened on (a link-local IPv6 address needs its interface: fe80::1%eth0)`);
    expect(stderr).not.toContain("    at ");
    expect(code).toBe(1);
  });
});
