/**
 * `policy check` validates every file the gateway reads from the policy directory — routing.yaml,
 * intents.yaml, models.yaml, pii.yaml, budgets.yaml and context.yaml — with the gateway's own
 * loaders: an edit that would stop the gateway (or be refused on reload) fails the check with its
 * `file:line:col`, instead of printing `ok`.
 */
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPolicyCommand } from "../../src/policy/cli.js";
import { capturedIO } from "../support/cli-io.js";

const SHIPPED = resolve(import.meta.dirname, "../../policies");

const io = () => capturedIO({ cwd: SHIPPED, stdin: "" });

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A copy of the shipped policies/ with `edit` applied. */
async function shippedWith(edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-check-"));
  dirs.push(dir);
  await cp(SHIPPED, dir, { recursive: true });
  await edit(dir);
  return dir;
}

const replaceIn = (name: string, from: string | RegExp, to: string) => async (dir: string) => {
  const text = await readFile(join(dir, name), "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${name}: nothing to replace`);
  await writeFile(join(dir, name), next);
};

async function check(dir: string) {
  const cli = io();
  const code = await createPolicyCommand({ classifierDir: "/nonexistent/classifier" }).run(["check", dir], cli);
  return { code, out: cli.out(), err: cli.err() };
}

describe("policy check covers every file the gateway reads", () => {
  it("passes the shipped policies, listing the files it checked", async () => {
    const dir = await shippedWith(async () => {});
    const { code, out } = await check(dir);
    expect(code).toBe(0);
    for (const name of ["routing.yaml", "intents.yaml", "models.yaml", "pii.yaml", "budgets.yaml"]) expect(out).toContain(join(dir, name));
  });

  it.each([
    ["pii.yaml: a misspelt action", "pii.yaml", replaceIn("pii.yaml", /EMAIL_ADDRESS: \{\}/, "EMAIL_ADDRESS: { cloud: redcat }"), /:\d+:\d+: entities\.EMAIL_ADDRESS\.cloud: /],
    ["budgets.yaml: a misspelt key", "budgets.yaml", replaceIn("budgets.yaml", /^tenants: \{\}/m, "tenants:\n  acme: { monthly_usd: 10, acton: deny }"), /:\d+:\d+: tenants\.acme(\.action)?: /],
    ["context.yaml: a bad value", "context.yaml", (dir: string) => writeFile(join(dir, "context.yaml"), "ttl_seconds: 0\n"), /:1:14: ttl_seconds: /],
    ["context.yaml: an unknown key", "context.yaml", (dir: string) => writeFile(join(dir, "context.yaml"), "max_turns: 5\nredis_url: redis://x\n"), /:2:1: .*Unrecognized key: "redis_url"/],
    ["models.yaml: an unknown provider", "models.yaml", replaceIn("models.yaml", /^(\s+provider: )openai\b/m, "$1opneai"), /:\d+:\d+: models\.[\w.-]+\.provider: unknown provider 'opneai'/],
    ["pii.yaml: missing (the gateway cannot start without it)", "pii.yaml", (dir: string) => unlink(join(dir, "pii.yaml")), /^: file not found/],
  ])("%s fails with exit 1 and file:line:col", async (_label, file, edit, problem) => {
    const dir = await shippedWith(edit);
    const { code, out, err } = await check(dir);
    expect(out).toBe("");
    expect(code).toBe(1);
    const line = err.split("\n").find((l) => l.startsWith(join(dir, file)));
    expect(line, err).toBeDefined();
    expect(line!.slice(join(dir, file).length)).toMatch(problem);
  });

  it("reports problems in several files at once", async () => {
    const dir = await shippedWith(async (d) => {
      await replaceIn("pii.yaml", /EMAIL_ADDRESS: \{\}/, "EMAIL_ADDRESS: { cloud: redcat }")(d);
      await replaceIn("budgets.yaml", /^tenants: \{\}/m, "tenants:\n  acme: { monthly_usd: 10, acton: deny }")(d);
      await writeFile(join(d, "routing.yaml"), "version: 1\ndefault: { route: gpt-5 }\n");
    });
    const { code, err } = await check(dir);
    expect(code).toBe(1);
    expect(err).toContain(`${join(dir, "pii.yaml")}:`);
    expect(err).toContain(`${join(dir, "budgets.yaml")}:`);
    expect(err).toContain(`${join(dir, "routing.yaml")}:2:`);
  });
});
