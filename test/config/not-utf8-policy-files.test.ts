/**
 * A policy file saved as Latin-1 or cp1252 is refused at its first byte that is not UTF-8. It was
 * decoded leniently: `müller-gmbh` in budgets.yaml became `m\uFFFDller-gmbh`, a tenant no API key
 * names, so that tenant's budget was never enforced and nothing said why.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, configText, formatProblem } from "../../src/config/yaml-file.js";
import { checkPolicyDir } from "../../src/policy/check.js";
import { reloadBudgetPolicy } from "../../src/usage/budgets/load.js";

const SHIPPED = resolve(import.meta.dirname, "../../policies");
const NOT_UTF8 = "not UTF-8 text (saved as Latin-1 or cp1252?): this byte starts or continues no UTF-8 character; save the file as UTF-8";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchyard-latin1-"));
  await cp(SHIPPED, dir, { recursive: true });
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const latin1 = (text: string) => Buffer.from(text, "latin1");

async function problemsOf(run: () => Promise<unknown>): Promise<string[]> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map((problem) => formatProblem(problem).replace(`${dir}/`, ""));
}

describe("a policy file that is not UTF-8", () => {
  it("budgets.yaml with a Latin-1 tenant name is refused on reload, at the byte", async () => {
    const file = join(dir, "budgets.yaml");
    await writeFile(file, latin1("version: 1\ntenants:\n  müller-gmbh: { monthly_usd: 5, action: deny }\n"));
    expect(await problemsOf(() => reloadBudgetPolicy(file, { loaded: true }))).toEqual([`budgets.yaml:3:4: ${NOT_UTF8}`]);
  });

  it("routing.yaml with a cp1252 comment fails `policy check` (and so start-up and reloads), at the byte", async () => {
    await writeFile(join(dir, "routing.yaml"), Buffer.concat([latin1("# caf\xe9 r\xe8gles\n"), Buffer.from("version: 1\n")]));
    expect(await problemsOf(() => checkPolicyDir({ dir }))).toEqual([`routing.yaml:1:6: ${NOT_UTF8}`]);
  });

  it("pii.yaml alike, reported once, beside routing.yaml's own problems", async () => {
    await writeFile(join(dir, "pii.yaml"), latin1("version: 1 # \xa7\n"));
    await writeFile(join(dir, "routing.yaml"), "version: 2\n");
    const problems = await problemsOf(() => checkPolicyDir({ dir }));
    expect(problems.filter((line) => line.startsWith("pii.yaml"))).toEqual([`pii.yaml:1:14: ${NOT_UTF8}`]);
    expect(problems.some((line) => line.startsWith("routing.yaml:1:"))).toBe(true);
  });
});

describe("configText", () => {
  it("reads UTF-8, from ASCII to four-byte characters", () => {
    expect(configText("f.yaml", Buffer.from("tenants: { müller: 1, 😀: 2, 日本: 3 }\n"))).toBe("tenants: { müller: 1, 😀: 2, 日本: 3 }\n");
  });

  it.each([
    ["an overlong slash", Buffer.from([0x61, 0x0a, 0x62, 0xc0, 0xaf]), "f.yaml:2:2"],
    ["an encoded surrogate", Buffer.from([0x61, 0xed, 0xa0, 0x80]), "f.yaml:1:2"],
    ["a truncated sequence at the end", Buffer.from([0x61, 0x62, 0xe6, 0x97]), "f.yaml:1:3"],
  ])("refuses %s at its line and column", (_name, bytes, at) => {
    expect(() => configText("f.yaml", bytes)).toThrow(`${at}: ${NOT_UTF8}`);
  });

  it("leaves a UTF-16 file to the parser, which names it UTF-16", () => {
    const text = configText("f.yaml", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("version: 1", "utf16le")]));
    expect(text.startsWith("\ufffd\ufffd")).toBe(true);
  });
});
