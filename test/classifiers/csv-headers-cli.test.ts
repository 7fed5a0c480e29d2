/**
 * CSV as spreadsheets and editors write it, through the real CLI: a header in another case
 * (`Text,Label`) and a trailing line of spaces are read; a header naming a column twice is refused at
 * line 1. Before, `Text,Label` was refused, a line of spaces was "expected 2 fields, got 1", and
 * `text,label,text` trained on the first text column without a word.
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";
import { useTempDir } from "./fixtures.js";

const DEFAULT_MODEL = resolve(import.meta.dirname, "../../classifiers/default");

const dir = useTempDir("switchyard-csv-headers-");

describe("CSV headers and blank lines", { timeout: 60_000 }, () => {
  it("a 'Label,Text' header in another case and order, and a trailing line of spaces, are read", async () => {
    const data = join(dir(), "spreadsheet.csv");
    await writeFile(data, 'Label,Text\r\ntranslate_text,"translate good night into French"\r\ntranslate_text,translate hello into German\r\n   \r\n');
    const result = await runCliProcess(["classifier", "eval", "--model", DEFAULT_MODEL, "--data", data]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).examples).toBe(2);
  });

  it("a header naming 'text' twice is refused at line 1, before training", async () => {
    const data = join(dir(), "twice.csv");
    await writeFile(data, "text,label,text\nhi,greet,x\nbye,leave,y\n");
    const out = join(dir(), "never");
    const result = await runCliProcess(["classifier", "train", "--data", data, "--out", out]);
    expect(result.stderr).toBe(`classifier train: ${data}:1: CSV header names 'text' twice (columns 1 and 3); keep one\n`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
  });
});
