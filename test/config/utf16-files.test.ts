/**
 * A policy file written in UTF-16 (PowerShell's default) is refused as such; before, read as UTF-8 it
 * was one string, and ops saw "expected object, received string".
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, formatProblem, loadOptionalYamlFile, parseYamlText } from "../../src/config/yaml-file.js";
import { AnyMap, yamlProblemsOf } from "./yaml-problems.js";

const ROUTING = "version: 1\ndefault: { route: local }\n";

describe("a UTF-16 file", () => {
  const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  const utf16be = (text: string) => Buffer.from(Buffer.from(`\ufeff${text}`, "utf16le").swap16());

  it("is refused as UTF-16, with or without a byte-order mark, in either byte order", () => {
    const message = "f.yaml: the file is UTF-16 (PowerShell's default encoding); save it as UTF-8";
    expect(yamlProblemsOf(utf16le(ROUTING).toString("utf8"))).toEqual([message]);
    expect(yamlProblemsOf(utf16be(ROUTING).toString("utf8"))).toEqual([message]);
    expect(yamlProblemsOf(Buffer.from(ROUTING, "utf16le").toString("utf8"))).toEqual([message]);
  });

  it("is refused when read from disk, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-utf16-"));
    try {
      const file = join(dir, "budgets.yaml");
      await writeFile(file, utf16le("version: 1\n"));
      const error = await loadOptionalYamlFile(file, AnyMap).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map(formatProblem)).toEqual([`${file}: the file is UTF-16 (PowerShell's default encoding); save it as UTF-8`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is told apart from UTF-8 with a byte-order mark, which still reads", () => {
    expect(parseYamlText("f.yaml", `\ufeff${ROUTING}`, AnyMap).value).toEqual({ version: 1, default: { route: "local" } });
  });

  it("places a problem on line 1 of a UTF-8 file with a byte-order mark where the editor shows it", () => {
    const schema = z.object({ version: z.literal(2) });
    expect(yamlProblemsOf("\ufeffversion: 1\n", schema)).toEqual(yamlProblemsOf("version: 1\n", schema));
    expect(yamlProblemsOf("\ufeffversion: 1\n", schema)[0]).toMatch(/^f\.yaml:1:10: version: /);
  });
});
