/**
 * Reads labelled examples from JSONL (`{"text","label"}` per line), CSV (`text,label` header) or an
 * intents YAML file, and rejects data a classifier cannot be trained on, naming the line.
 */
import { constants } from "node:buffer";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { z } from "zod";
import { ClassifierDataError } from "../errors.js";
import { parseIntentsYaml } from "../intents.js";
import { CsvSyntaxError, parseCsv } from "./csv.js";
import { decodeUtf8 } from "./utf8.js";

export const LabelledExampleSchema = z.strictObject({ text: z.string(), label: z.string() });
export type LabelledExample = z.infer<typeof LabelledExampleSchema>;

export type DataFormat = "jsonl" | "csv" | "yaml";

export function detectFormat(path: string): DataFormat {
  const extension = extname(path).toLowerCase();
  if (extension === ".jsonl" || extension === ".ndjson") return "jsonl";
  if (extension === ".csv") return "csv";
  if (extension === ".yaml" || extension === ".yml") return "yaml";
  throw new ClassifierDataError(`unknown data format '${extension || "(no extension)"}': use .jsonl, .csv or .yaml`, path);
}

// Editors on Windows (Notepad, Excel's "CSV UTF-8", PowerShell redirection) start files with a BOM,
// which JSON.parse rejects and which would glue itself to the first CSV column name.
function stripBom(content: string): string {
  return content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
}

function checkText(text: string, file: string, line: number): string {
  if (text.trim() === "") throw new ClassifierDataError("empty text", file, line);
  return text;
}

function parseJsonl(
  content: string,
  file: string,
  schema: z.ZodType<{ text: string; label?: string }>,
  /** What a line must look like, for the error message: predict's input has no label. */
  expected: string,
  allowEmptyText = false,
  firstLine = 1,
): LabelledExample[] {
  const examples: LabelledExample[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = index + firstLine;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ClassifierDataError("malformed JSON", file, line);
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ClassifierDataError(`expected ${expected}: ${issue?.path.join(".") || "line"} ${issue?.message}`, file, line);
    }
    const text = allowEmptyText ? result.data.text : checkText(result.data.text, file, line);
    examples.push({ text, label: result.data.label ?? "" });
  });
  return examples;
}

function parseLabelledCsv(content: string, file: string): LabelledExample[] {
  let records;
  try {
    records = parseCsv(content);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ClassifierDataError(error.message, file, error.line);
    throw error;
  }
  // A line of spaces is blank, as in JSONL (an editor's trailing "   " line is no record of one field).
  const [header, ...rows] = records.filter(({ fields }) => !(fields.length === 1 && (fields[0] as string).trim() === ""));
  if (!header) return [];
  // "text, label" is a common hand-written header, "Text,Label" a spreadsheet's; the values' labels
  // are trimmed the same way.
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const textColumn = columns.indexOf("text");
  const labelColumn = columns.indexOf("label");
  if (textColumn < 0 || labelColumn < 0) {
    throw new ClassifierDataError(`CSV header must name 'text' and 'label' columns, got '${header.fields.join(",")}'`, file, header.line);
  }
  // Which of two 'text' columns holds the texts cannot be guessed: the first was taken silently.
  for (const [name, first] of [["text", textColumn], ["label", labelColumn]] as const) {
    const second = columns.indexOf(name, first + 1);
    if (second >= 0) throw new ClassifierDataError(`CSV header names '${name}' twice (columns ${first + 1} and ${second + 1}); keep one`, file, header.line);
  }
  return rows.map(({ line, fields }) => {
    if (fields.length !== header.fields.length) {
      throw new ClassifierDataError(`expected ${header.fields.length} fields, got ${fields.length}`, file, line);
    }
    const label = (fields[labelColumn] as string).trim();
    if (label === "") throw new ClassifierDataError("empty label", file, line);
    return { text: checkText(fields[textColumn] as string, file, line), label };
  });
}

function examplesFromIntents(content: string, file: string): LabelledExample[] {
  const intents = parseIntentsYaml(content, file);
  return Object.entries(intents.intents).flatMap(([label, intent]) => intent.examples.map((text) => ({ text, label })));
}

const TrainingLineSchema = z.object({ text: z.string(), label: z.string().trim().min(1, "must not be empty") });

/** Parses labelled training or evaluation data and checks it can train a classifier (≥ 2 labels). */
export function parseLabelledExamples(content: string, file: string, format: DataFormat = detectFormat(file)): LabelledExample[] {
  const text = stripBom(content);
  const examples =
    format === "jsonl"
      ? parseJsonl(text, file, TrainingLineSchema, '{"text", "label"}')
      : format === "csv"
        ? parseLabelledCsv(text, file)
        : examplesFromIntents(text, file);
  if (examples.length === 0) throw new ClassifierDataError("no examples (the file is empty)", file);
  return examples;
}

/** A missing or unreadable data file is bad input, reported like the others (no stack trace). */
async function readDataFile(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_FS_FILE_TOO_LARGE") throw tooLarge(file, "over 2 GiB");
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? (error as Error).message);
    throw new ClassifierDataError(`cannot read the file (${reason})`, file);
  }
  try {
    return decodeUtf8(bytes, file);
  } catch (error) {
    // Node.js cannot hold the whole file as one string ("Cannot create a string longer than …"; an Error, not a RangeError).
    if ((error as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG") throw tooLarge(file, `${Math.round(bytes.length / MiB)} MiB`);
    throw error;
  }
}

const MiB = 1024 * 1024;

function tooLarge(file: string, size: string): ClassifierDataError {
  return new ClassifierDataError(
    `too large to read (${size}): a data file is read whole, as text of at most ${Math.floor(constants.MAX_STRING_LENGTH / MiB)} MiB; split or sample it`,
    file,
  );
}

/** A missing file is reported as missing before its name's extension is judged: `--data exmples` is a typo. */
export async function readLabelledExamples(file: string): Promise<LabelledExample[]> {
  const content = await readDataFile(file);
  return parseLabelledExamples(content, file, detectFormat(file));
}

/**
 * Texts of no known intent for `classifier eval --unknown`: JSONL `{"text"}` lines. A .csv or .yaml
 * file is refused by name, since "file.csv:1: malformed JSON" would not say what was expected.
 */
export async function readTextLines(file: string): Promise<string[]> {
  const extension = extname(file).toLowerCase();
  if ([".csv", ".yaml", ".yml"].includes(extension)) {
    throw new ClassifierDataError(`--unknown takes JSONL ({"text": ...} per line), not ${extension}`, file);
  }
  const texts = parseTextLines(await readDataFile(file), file);
  if (texts.length === 0) throw new ClassifierDataError("no texts (the file is empty)", file);
  return texts;
}

export function checkTrainable(examples: readonly LabelledExample[], file: string): void {
  const labels = new Set(examples.map((example) => example.label));
  if (labels.size < 2) {
    throw new ClassifierDataError(`needs at least two labels to train a classifier, found ${labels.size} (${[...labels].join(", ")})`, file);
  }
}

/**
 * Texts to classify: JSONL `{"text"}` lines (other fields are ignored; an empty text is classified
 * too). `firstLine` numbers the lines of a chunk read from a stream.
 */
export function parseTextLines(content: string, file: string, firstLine = 1): string[] {
  return parseJsonl(stripBom(content), file, z.object({ text: z.string() }), '{"text"}', true, firstLine).map((example) => example.text);
}

/** The training-data hash stored with a model: the examples in order, independent of the file's format. */
export function trainingDataHash(examples: readonly LabelledExample[]): string {
  const hash = createHash("sha256");
  for (const { text, label } of examples) hash.update(JSON.stringify([text, label])).update("\n");
  return `sha256:${hash.digest("hex")}`;
}
