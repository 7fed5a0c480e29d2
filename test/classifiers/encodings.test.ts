/**
 * Text that is not UTF-8 is refused at its line instead of trained on (or echoed by predict) with
 * U+FFFD in place of its accents: Excel's "CSV (Comma delimited)" writes cp1252, Windows
 * PowerShell's `>` writes UTF-16.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { classifierCommand } from "../../classifiers/cli.js";
import { readLabelledExamples } from "../../classifiers/data/training-data.js";
import { ClassifierDataError } from "../../classifiers/index.js";
import { runInProcess } from "../support/cli-io.js";
import { useTempDir } from "./fixtures.js";

const root = join(import.meta.dirname, "..", "..");
const dir = useTempDir("switchyard-encodings-");

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
const utf16be = (text: string) => Buffer.from([0xfe, 0xff, ...Buffer.from(text, "utf16le").swap16()]);

async function dataError(name: string, bytes: Uint8Array): Promise<string> {
  const file = join(dir(), name);
  await writeFile(file, bytes);
  const error = await readLabelledExamples(file).then(() => undefined, (caught: unknown) => caught);
  expect(error, name).toBeInstanceOf(ClassifierDataError);
  return (error as Error).message;
}

describe("training data that is not UTF-8", () => {
  it("cp1252 is refused at the line of its first bad byte", async () => {
    const cp1252 = Buffer.from("text,label\r\nhello,greet\r\nun caf\xe9 cr\xe8me,greet\r\nfix my code,code\r\n", "latin1");
    expect(await dataError("cp1252.csv", cp1252)).toMatch(/cp1252\.csv:3: not UTF-8 text .*save it as UTF-8/);
  });

  it("UTF-16 (either byte order, CSV or JSONL) is named as such", async () => {
    const csv = "text,label\r\nhi,greet\r\nfix,code\r\n";
    expect(await dataError("le.csv", utf16le(csv))).toMatch(/le\.csv: UTF-16 text; save it as UTF-8/);
    expect(await dataError("be.csv", utf16be(csv))).toMatch(/be\.csv: UTF-16 text; save it as UTF-8/);
    expect(await dataError("le.jsonl", utf16le('{"text":"hi","label":"greet"}\r\n'))).toMatch(/le\.jsonl: UTF-16 text; save it as UTF-8/);
  });

  it("UTF-16 without a byte-order mark (iconv -t UTF-16LE) is named as such, not a header or JSON error", async () => {
    const csv = "text,label\nhi,greet\nfix,code\n";
    expect(await dataError("bare-le.csv", Buffer.from(csv, "utf16le"))).toMatch(/bare-le\.csv: UTF-16 text; save it as UTF-8/);
    expect(await dataError("bare-be.jsonl", Buffer.from('{"text":"hi","label":"greet"}\n', "utf16le").swap16())).toMatch(/bare-be\.jsonl: UTF-16 text; save it as UTF-8/);
  });
});

describe("predict on stdin that is not UTF-8", () => {
  it("answers the lines before and stops at the bad one with its line number", async () => {
    const stdin = Readable.from([Buffer.from('{"text":"hello there"}\n{"text":"caf'), Buffer.from('\xe9"}\n{"text":"bye"}\n', "latin1")]);
    const { code, stdout: out, stderr: err } = await runInProcess(classifierCommand, ["predict", "--model", "classifiers/default"], { stdin, env: process.env, cwd: root });
    expect(code).toBe(1);
    expect(err).toMatch(/^classifier predict: stdin:2: not UTF-8 text/);
    expect(out.trimEnd().split("\n").map((line) => JSON.parse(line).text)).toEqual(["hello there"]);
  });
});
