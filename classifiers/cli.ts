/**
 * `npm run cli -- classifier <train|predict|eval>`: the stable command-line contract that scripts
 * and benchmarks depend on (see docs/CLASSIFIER.md).
 */
import { isAbsolute, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError, asksForHelp, type CliCommand, type CliIO } from "../src/cli/command.js";
import { checkTrainable, parseTextLines, readLabelledExamples, readTextLines } from "./data/training-data.js";
import { utf8Lines } from "./data/utf8.js";
import { ClassifierDataError, ClassifierModelError } from "./errors.js";
import { isInsideFolder } from "./model-folder.js";
import type { TrainingReport } from "./model-metadata.js";

// transformers.js and onnxruntime take seconds to import: loaded only once the arguments and data are valid.
const loadRuntime = async () => ({ ...(await import("./load.js")), ...(await import("./evaluation/evaluate.js")) });
const loadTrainers = async () => ({
  ...(await import("./training/train-classifier.js")),
  ...(await import("./training/train-encoder-head.js")),
  ...(await import("./model-folder.js")),
});

const USAGE = `usage:
  classifier train --data <file.jsonl|.csv|.yaml> --out <dir> [--val-split 0.1] [--target-precision 0.95] [--seed 1]
                   [--in-scope-rule auto|on|off] [--encoder <folder|hub-id> [--allow-remote]]
  classifier predict --model <dir>            (JSONL {"text"} on stdin → JSONL {"text","intent","confidence","unsure"})
  classifier eval --model <dir> --data <file> [--unknown <file.jsonl>]`;

function parse(argv: string[], options: ParseArgsConfig["options"]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required\n${USAGE}`);
  return value;
}

function numberOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  // Number("") is 0: an empty --val-split "$SPLIT" must not silently mean "no calibration".
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got '${String(raw)}'`);
  }
  return value;
}

/** `--in-scope-rule`: `auto` (above 50 examples per intent), `on` (coverage weight 1) or `off` (confidence alone). */
function inScopeRuleOption(raw: string | boolean | undefined): "auto" | number {
  switch (raw) {
    case undefined:
    case "auto":
      return "auto";
    case "on":
      return 1;
    case "off":
      return 0;
    default:
      throw new UsageError(`--in-scope-rule must be auto, on or off, got '${String(raw)}'`);
  }
}

function formatReport(out: string, report: TrainingReport): string {
  const percent = (value: number | null) => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`);
  return [
    `trained ${out}`,
    `  examples          ${report.examples} (${report.labels} labels; ${report.heldOutExamples} held out for calibration)`,
    `  held-out accuracy ${percent(report.heldOutAccuracy)}`,
    `  temperature       ${report.temperature.toFixed(3)}`,
    ...(report.prototypeWeight === undefined ? [] : [`  prototype weight  ${report.prototypeWeight} (nearest-centroid head, chosen on the held-out split)`]),
    `  unsure threshold  ${report.unsureThreshold.toFixed(3)} (${report.inScopeThreshold === undefined ? `held out: ${percent(report.heldOutEscalationRate)} escalated, ${percent(report.heldOutConfidentPrecision)} precision on the rest` : "confidence alone; the in-scope rule decides"})`,
    ...(report.inScopeThreshold === undefined ? [] : [`  in-scope rule     unsure when ln confidence + ${report.coverageWeight} × word coverage < ${report.inScopeThreshold.toFixed(3)} (held out: ${percent(report.heldOutEscalationRate)} escalated, ${percent(report.heldOutConfidentPrecision)} precision on the rest)`]),
    `  model size        ${(report.modelBytes / 1e6).toFixed(2)} MB`,
    `  time              ${report.trainingSeconds.toFixed(1)} s`,
    "",
  ].join("\n");
}

function absolute(io: CliIO, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** A local encoder path, resolved like --data; with --allow-remote, a name that starts with no "." nor "/" is a Hub id. */
function encoderPath(io: CliIO, encoder: string, allowRemote: boolean): string {
  return allowRemote && !encoder.startsWith(".") && !isAbsolute(encoder) ? encoder : absolute(io, encoder);
}

async function train(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv, {
    data: { type: "string" },
    out: { type: "string" },
    "val-split": { type: "string" },
    "target-precision": { type: "string" },
    seed: { type: "string" },
    "in-scope-rule": { type: "string" },
    encoder: { type: "string" },
    "allow-remote": { type: "boolean" },
  });
  const data = absolute(io, required(values, "data"));
  const out = absolute(io, required(values, "out"));
  const valSplit = numberOption(values, "val-split", 0.1, 0, 0.5);
  const targetPrecision = numberOption(values, "target-precision", 0.95, 0.01, 1);
  const seed = numberOption(values, "seed", 1, 0, 2 ** 31 - 1, true);
  const coverageWeight = inScopeRuleOption(values["in-scope-rule"]);
  const encoder = values.encoder;
  const allowRemote = values["allow-remote"] === true;
  const encoderSource = typeof encoder === "string" ? encoderPath(io, encoder, allowRemote) : undefined;
  // Replacing --out deletes everything in it: an input there would be gone after (or during) training.
  for (const [flag, path] of [["data", data], ["encoder", encoderSource]] as const) {
    if (path !== undefined && isAbsolute(path) && (await isInsideFolder(path, out))) {
      throw new UsageError(`--${flag} ${path} is inside --out ${out}, which training replaces; choose another --out`);
    }
  }
  const examples = await readLabelledExamples(data);
  checkTrainable(examples, data);
  const { trainEncoderHeadClassifier, trainNgramClassifier, TrainClassifierOptionsSchema, writeModelFolder, checkModelFolderTarget } =
    await loadTrainers();
  // Before training, so a refused --out does not cost the training time (writeModelFolder checks again).
  await checkModelFolderTarget(out);
  const { files, report } =
    typeof encoder === "string"
      ? await trainEncoderHeadClassifier(examples, {
          encoder: encoderSource ?? encoder,
          out,
          valSplit,
          targetPrecision,
          seed,
          allowRemoteModels: allowRemote,
        })
      : await trainNgramClassifier(
          examples,
          TrainClassifierOptionsSchema.parse({ valSplit, targetPrecision, coverageWeight, model: { ...TrainClassifierOptionsSchema.shape.model.parse(undefined), seed } }),
        );
  await writeModelFolder(out, files);
  io.stdout.write(formatReport(out, report));
  // The report says "0 held out" among other lines; what it means for routing must be said plainly.
  if (report.heldOutExamples === 0) {
    io.stderr.write(
      `warning: no examples were held out for calibration (--val-split ${valSplit}${valSplit > 0 ? ", and no label has two different examples" : ""}): ` +
        "--target-precision was not applied: the unsure threshold is 0, so the model is unsure (escalates) only of text it has no evidence on; train with --val-split 0.1 or more\n",
    );
  }
  return 0;
}

async function predict(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv, { model: { type: "string" } });
  const { loadIntentClassifier } = await loadRuntime();
  const classifier = await loadIntentClassifier(absolute(io, required(values, "model")));
  // `predict | head` closes stdout early: a filter then stops quietly (EPIPE) instead of dying on an
  // unhandled 'error' event with a stack trace. Left attached: writes in flight may still fail.
  let outputError: NodeJS.ErrnoException | undefined;
  io.stdout.on("error", (error: NodeJS.ErrnoException) => (outputError ??= error));
  try {
    let line = 0;
    for await (const raw of utf8Lines(io.stdin, "stdin")) {
      if (outputError || io.stdout.destroyed) break;
      line++;
      if (raw.trim() === "") continue;
      const [text] = parseTextLines(raw, "stdin", line);
      const prediction = await classifier.classify(text as string);
      io.stdout.write(
        `${JSON.stringify({ text, intent: prediction.intent, confidence: prediction.confidence, unsure: prediction.unsure })}\n`,
      );
    }
  } finally {
    await classifier.dispose();
  }
  if (outputError && outputError.code !== "EPIPE") throw outputError;
  return 0;
}

async function evaluate(argv: string[], io: CliIO): Promise<number> {
  const values = parse(argv, { model: { type: "string" }, data: { type: "string" }, unknown: { type: "string" } });
  const model = absolute(io, required(values, "model"));
  const dataFile = absolute(io, required(values, "data"));
  const examples = await readLabelledExamples(dataFile);
  const unknownFile = values.unknown;
  const unknown = typeof unknownFile === "string" ? await readTextLines(absolute(io, unknownFile)) : undefined;
  const { loadIntentClassifier, evaluateClassifier } = await loadRuntime();
  const classifier = await loadIntentClassifier(model);
  try {
    const foreign = labelsNotIn(classifier.labels, examples);
    if (foreign) io.stderr.write(`warning: ${dataFile}: labels the model does not know, every example of them scored as a miss: ${foreign}\n`);
    const metrics = await evaluateClassifier(classifier, examples, unknown);
    io.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
  } finally {
    await classifier.dispose();
  }
  return 0;
}

/**
 * The --data labels the model has no output for, with their example counts ("refund (2 examples)"),
 * or undefined when there are none. Their examples can only be misses, which reads as a weak model
 * (a model folder trained before an intent was added, a misspelt label) unless it is said.
 */
function labelsNotIn(labels: readonly string[], examples: readonly { label: string }[]): string | undefined {
  const known = new Set(labels);
  const counts = new Map<string, number>();
  for (const { label } of examples) if (!known.has(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, count]) => `${label} (${count} example${count === 1 ? "" : "s"})`)
    .join(", ");
}

const subcommands: Record<string, (argv: string[], io: CliIO) => Promise<number>> = { train, predict, eval: evaluate };

export const classifierCommand: CliCommand = {
  summary: "train, run and evaluate the intent classifier (train | predict | eval)",
  async run(argv, io) {
    if (asksForHelp(argv)) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const [name, ...rest] = argv;
    const subcommand = name ? subcommands[name] : undefined;
    if (!subcommand) throw new UsageError(`${name ? `unknown subcommand '${name}'\n` : ""}${USAGE}`);
    try {
      return await subcommand(rest, io);
    } catch (error) {
      if (error instanceof ClassifierDataError || error instanceof ClassifierModelError) {
        io.stderr.write(`classifier ${name}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
