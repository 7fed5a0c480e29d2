/**
 * Reads a YAML file and validates it with a zod schema, reporting every problem as
 * `file:line:col: path: message` so ops can jump straight to the bad line.
 */
import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { LineCounter, isAlias, visit, type Document } from "yaml";
import type { z } from "zod";
import { aliasOverrun } from "./alias-expansion.js";
import { duplicateKeys } from "./duplicate-keys.js";
import { ONE_DOCUMENT_MESSAGE, onlyEmptyAfterFirst } from "./extra-documents.js";
import { badMerges, MERGE_MESSAGE } from "./merge-keys.js";
import { PROTOTYPE_KEY_MESSAGE, prototypeKeys } from "./prototype-keys.js";
import { NestedTooDeep, parseWithinDepth } from "./depth-guarded-parse.js";
import { resourceExhausted, tooDeep } from "./nesting-depth.js";
import { isNotFound, notRegularFile, readFailure } from "./read-failure.js";
import { decodeStrictUtf8, looksUtf16, NOT_UTF8_MESSAGE, positionAt, UTF16_MESSAGE } from "./text-encoding.js";
import { createLocator } from "./yaml-locate.js";
import { tagProblems } from "./yaml-warnings.js";

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  /**
   * `problems` holds every problem, or the first of them with `omitted` counting the rest (a worker
   * thread sends at most `MAX_SENT_PROBLEMS`); the message lists the first `MAX_REPORTED_PROBLEMS`.
   */
  constructor(
    readonly problems: ConfigProblem[],
    readonly omitted = 0,
  ) {
    super(problemLines(problems, omitted).join("\n"));
  }
}

/**
 * Problems listed in a message, a log line or an admin response. A generated or mangled file can
 * have thousands (one per key), and all of them in one log line or response helps no one.
 */
export const MAX_REPORTED_PROBLEMS = 50;

/**
 * Appends `from` to `into` one at a time: a mangled file has a problem per token (256 KiB of `[,,,…]`:
 * 262,000), too many to spread as arguments to `push`, which overflowed the stack.
 */
export function appendProblems(into: ConfigProblem[], from: readonly ConfigProblem[]): void {
  for (const problem of from) into.push(problem);
}

/**
 * One `file:line:col: path: message` line per problem, the first `MAX_REPORTED_PROBLEMS`, then a line
 * saying how many more there are (with `omitted`, problems not in the list).
 *
 * @example
 * problemLines(thousandProblems).at(-1); // "... and 950 more problems"
 */
export function problemLines(problems: readonly ConfigProblem[], omitted = 0): string[] {
  const lines = problems.slice(0, MAX_REPORTED_PROBLEMS).map(formatProblem);
  const more = problems.length - lines.length + omitted;
  if (more > 0) lines.push(`... and ${more} more problem${more === 1 ? "" : "s"}`);
  return lines;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** How large a file may be, and whose limit it is, as the message refusing a larger one names it. */
export interface SizeLimit {
  bytes: number;
  /** "policy files", "intents.yaml": what "… may be at most N bytes" is said of. */
  of: string;
}

/**
 * Policy files are parsed at start-up on the event loop that serves requests (reloads parse on workers:
 * src/policy/off-thread-check.ts, src/usage/budgets/off-thread-parse.ts), and the yaml library takes
 * 1–5 µs a byte of dense YAML: a 1 MiB routing.yaml of rules held the loop 2.2 s, 1 MiB of `-` lines
 * 4.3 s. A runaway file (a generated dump, a wrong file copied in) is refused unread.
 * 256 KiB is ~40 times the largest shipped file (routing.yaml, 6 KB): ~2,500 rules, or budgets for
 * ~4,500 tenants, parsed in 0.4–0.6 s of CPU; the densest YAML of that size, or a file of errors
 * (`[,,,…]`), in 1–1.3 s (on a loaded 2-core box).
 */
export const POLICY_FILE_LIMIT: SizeLimit = { bytes: 256 * KiB, of: "policy files" };

/** 256 KiB, 1 MiB, or the bytes. */
const sizeOf = (bytes: number): string =>
  bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} bytes`;

const tooLarge = (file: string, size: string, limit: SizeLimit): ConfigError =>
  new ConfigError([{ file, line: 0, col: 0, path: "", message: `file is ${size} bytes; ${limit.of} may be at most ${limit.bytes} bytes (${sizeOf(limit.bytes)})` }]);

/** Alias expansions allowed when building a file's value: a few anchors are fine, a "billion laughs" is not. */
const MAX_ALIAS_COUNT = 100;

/** The backstop should `tooDeep` miss a way to nest: a stack overflow still names the file and the fix. */
const stackOverflow = (file: string, error: RangeError): ConfigError =>
  new ConfigError([{ file, line: 0, col: 0, path: "", message: `${error.message} while reading this file: it nests too deeply; flatten it` }]);

/**
 * `build()`, a stack overflow in it a `ConfigError` naming `file`: the backstop, should `tooDeep` miss
 * a way to nest, for any recursive walk of a file's value.
 *
 * @example
 * const result = withinStack(file, () => schema.safeParse(value));
 */
export function withinStack<T>(file: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RangeError) throw stackOverflow(file, error);
    throw error;
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** A parsed YAML file that can still locate any path inside it, for referential checks after parsing. */
export interface YamlSource<T> {
  file: string;
  value: T;
  /** Line/column of `path` (or of its nearest existing parent). */
  locate(path: readonly PropertyKey[]): { line: number; col: number };
  problem(path: readonly PropertyKey[], message: string): ConfigProblem;
}

function firstAlias(doc: Document, counter: LineCounter): { line: number; col: number } {
  let at = { line: 0, col: 0 };
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) {
        const pos = counter.linePos(node.range[0]);
        at = { line: pos.line, col: pos.col };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

/**
 * The library's syntax tree of `text`, and where its lines start.
 * stringKeys: a key is the text written, so a tenant `0042` stays "0042" (not 42, then "42") and a
 * problem under it can be located by that text. uniqueKeys off: yaml's check is quadratic per
 * mapping; `duplicateKeys` does it in one pass.
 * merge: `<<: *defaults` merges a shared mapping in (keys written beside it win), as ops expect from
 * other YAML tools; without it the file had a literal "<<" key.
 */
function parse(file: string, text: string): { doc: Document; counter: LineCounter } {
  const counter = new LineCounter();
  // The library makes an Error for each problem it finds, capturing a stack trace no one reads (its
  // code, message and offset are what is reported): 260,000 of them for 256 KiB of `[,,,…]` took 4 s
  // of the 5 s parse. Parsing is synchronous, so no other code sees the limit changed.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // Refused while the tree is built, before the library composes it (depth-guarded-parse.ts says why).
    const doc = parseWithinDepth(text, counter, { prettyErrors: false, uniqueKeys: false, stringKeys: true, merge: true });
    return { doc, counter };
  } catch (error) {
    if (error instanceof NestedTooDeep) throw located(file, counter, [{ offset: error.offset, message: error.message }]);
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Problems found at source offsets, in the order of the file, as a `ConfigError` naming their lines. */
function located(file: string, counter: LineCounter, found: { offset: number; message: string }[]): ConfigError {
  return new ConfigError(
    found
      .sort((a, b) => a.offset - b.offset)
      .map((e) => {
        const pos = counter.linePos(e.offset);
        return { file, line: pos.line, col: pos.col, path: "", message: e.message };
      }),
  );
}

/**
 * `options.limit`: the size cap, `POLICY_FILE_LIMIT` by default (a policy file the gateway reads on its
 * serving thread); the classifier trainer's data files, read offline, have none (`bytes: Infinity`).
 */
export function parseYamlText<S extends z.ZodType>(file: string, written: string, schema: S, options: { limit?: SizeLimit } = {}): YamlSource<z.infer<S>> {
  const bytes = Buffer.byteLength(written, "utf8");
  // A byte-order mark (editors on Windows write one) is no column: line 1's positions count from after it.
  const text = written.charCodeAt(0) === 0xfeff ? written.slice(1) : written;
  const limit = options.limit ?? POLICY_FILE_LIMIT;
  if (bytes > limit.bytes) throw tooLarge(file, String(bytes), limit);
  if (looksUtf16(text)) throw new ConfigError([{ file, line: 0, col: 0, path: "", message: UTF16_MESSAGE }]);
  const { doc, counter } = parse(file, text);
  // First, and alone: the checks below walk the tree copying their path at each level (quadratic in
  // its depth). `tooDeep` also counts what aliases repeat; the library's own stack overflow while
  // composing (RESOURCE_EXHAUSTION, the tree cut short there) is the same fault, should it still come.
  const deep = tooDeep(doc) ?? resourceExhausted(doc);
  if (deep) throw located(file, counter, [deep]);
  const syntax = [
    ...doc.errors
      .filter((e) => e.code !== "MULTIPLE_DOCS" || !onlyEmptyAfterFirst(text))
      .map((e) => ({ offset: e.pos[0], message: e.code === "MULTIPLE_DOCS" ? ONE_DOCUMENT_MESSAGE : (e.message.split("\n")[0] ?? e.message) })),
    ...tagProblems(doc, text),
    ...duplicateKeys(doc).map((d) => ({
      offset: d.offset,
      message: `Map keys must be unique: "${d.key}" is already at line ${counter.linePos(d.firstOffset).line}`,
    })),
    ...prototypeKeys(doc).map((offset) => ({ offset, message: PROTOTYPE_KEY_MESSAGE })),
  ];
  const overrun = aliasOverrun(doc);
  if (overrun) syntax.push(overrun);
  // Only in a file otherwise well formed (its aliases resolve, at most MAX_ALIASES of them): a merge
  // in a broken one would add a second report of the same fault.
  else if (syntax.length === 0) syntax.push(...badMerges(doc).map((offset) => ({ offset, message: MERGE_MESSAGE })));
  if (syntax.length > 0) throw located(file, counter, syntax);
  const { locate, locateKey } = createLocator(doc, counter);
  const problem = (path: readonly PropertyKey[], message: string): ConfigProblem => ({
    file,
    ...locate(path),
    path: formatPath(path),
    message,
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof RangeError) throw stackOverflow(file, error);
    // The yaml package throws a bare ReferenceError for an alias bomb; ops need the file and the fix.
    const at = firstAlias(doc, counter);
    const reason = error instanceof Error ? error.message : String(error);
    const bomb = /excessive alias count/i.test(reason);
    throw new ConfigError([
      { file, ...at, path: "", message: bomb ? `${reason}: aliases (*name) expand to more than ${MAX_ALIAS_COUNT} nodes; write the values out instead` : reason },
    ]);
  }
  const result = withinStack(file, () => schema.safeParse(value ?? {}));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.flatMap((issue) =>
        // One problem per misspelt key, at the key's own line (zod reports them together, at the mapping).
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({ file, ...locateKey(issue.path, key), path: formatPath(issue.path), message: `Unrecognized key: "${key}"` }))
          : [problem(issue.path, issue.message)],
      ),
    );
  }
  return { file, value: result.data, locate, problem };
}

/**
 * The bytes of a configuration file, or `undefined` when it does not exist. Any other failure (a
 * directory in its place, no read permission, a symlink loop) is a `ConfigError` naming the file: an
 * optional file that is there but unreadable must not pass for an absent one. So is a file over
 * `limit` (`POLICY_FILE_LIMIT` by default), refused by its size before a byte is read, and anything
 * that is not a regular file (a FIFO would block the read, /dev/zero never end it).
 *
 * @example
 * const bytes = await readConfigFile("policies/budgets.yaml"); // undefined: no budgets
 */
export async function readConfigFile(file: string, limit: SizeLimit = POLICY_FILE_LIMIT): Promise<Buffer | undefined> {
  const problem = (message: string) => new ConfigError([{ file, line: 0, col: 0, path: "", message }]);
  let handle: FileHandle;
  try {
    // Without O_NONBLOCK, opening a FIFO waits for a writer, holding a libuv thread for ever.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    const reason = readFailure(error);
    if (reason === undefined) throw error;
    throw problem(reason);
  }
  try {
    // The opened file's own stat: the path may be swapped for another file in between.
    const info = await handle.stat();
    const notFile = notRegularFile(info);
    if (notFile) throw problem(notFile);
    if (info.size > limit.bytes) throw tooLarge(file, String(info.size), limit);
    // At most one byte past the limit: the file may have grown since the stat.
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ start: 0, end: limit.bytes, autoClose: false })) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    if (bytes > limit.bytes) throw tooLarge(file, `over ${limit.bytes}`, limit);
    return Buffer.concat(chunks, bytes);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = readFailure(error);
    if (reason === undefined) throw error;
    throw problem(reason);
  } finally {
    await handle.close();
  }
}

/**
 * Throws a `ConfigError` naming `dir` when it is no policy folder: a file given for it (`policy check
 * policies/routing.yaml`, `SWITCHYARD_POLICY_DIR=…/routing.yaml`) made every file in it fail alike,
 * "a component of the path is not a directory", under paths such as `routing.yaml/models.yaml`.
 * Returns for a folder, or a path that does not exist (its files are then "file not found").
 *
 * @example
 * await expectPolicyFolder(dir);
 */
export async function expectPolicyFolder(dir: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(dir);
  } catch {
    return; // missing or unreadable: each file's own read says why
  }
  if (info.isDirectory()) return;
  const what = info.isFile() ? "a file" : "not a folder";
  throw new ConfigError([{ file: dir, line: 0, col: 0, path: "", message: `is ${what}, not a policy folder; give the folder that holds routing.yaml (${dirname(dir)})` }]);
}

/**
 * A configuration file's bytes as text; bytes that are not UTF-8 (a file saved as Latin-1) are a
 * `ConfigError` at the first of them, not letters silently replaced by U+FFFD.
 *
 * @example
 * const text = configText("policies/budgets.yaml", await readConfigFile("policies/budgets.yaml"));
 */
export function configText(file: string, bytes: Uint8Array): string {
  const { text, badOffset } = decodeStrictUtf8(bytes);
  if (badOffset === undefined) return text;
  throw new ConfigError([{ file, ...positionAt(text, badOffset), path: "", message: NOT_UTF8_MESSAGE }]);
}

export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<YamlSource<z.infer<S>>> {
  const source = await loadOptionalYamlFile(file, schema);
  if (!source) throw new ConfigError([await fileNotFound(file)]);
  return source;
}

/** The name a `.yaml` file is often saved under instead (`budgets.yml`), which the gateway never reads. */
export const ymlName = (name: string): string => name.replace(/\.yaml$/, ".yml");

/**
 * "file not found" for a required file (`what` says what it is for), naming the `.yml` file beside it
 * when there is one: an operator who saved `routing.yml` was told only "routing.yaml: file not found".
 */
export async function fileNotFound(file: string, what = ""): Promise<ConfigProblem> {
  return missingFileProblem(file, what, await ymlIsThere(file));
}

/** `fileNotFound`'s problem, where the caller has looked for the `.yml` file (`ymlIsThere`) itself. */
export function missingFileProblem(file: string, what: string, ymlThere: boolean): ConfigProblem {
  const there = ymlThere ? `; ${basename(ymlName(file))} is there: the gateway reads ${basename(file)}, rename it` : "";
  return { file, line: 0, col: 0, path: "", message: `file not found${what}${there}` };
}

/** Whether the `.yml` file beside `file` (a `.yaml` path) is there. */
export async function ymlIsThere(file: string): Promise<boolean> {
  const yml = ymlName(file);
  return yml !== file && (await stat(yml).then((info) => info.isFile(), () => false));
}

/** As `loadYamlFile`, for a file whose absence is valid (budgets.yaml, context.yaml): `undefined` then. */
export async function loadOptionalYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<YamlSource<z.infer<S>> | undefined> {
  const bytes = await readConfigFile(file);
  return bytes === undefined ? undefined : parseYamlText(file, configText(file, bytes), schema);
}
