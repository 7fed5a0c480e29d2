/**
 * `loadIntentClassifier(dir)`: opens a model folder of any supported kind.
 *  - Switchyard n-gram model (`switchyard.json` kind "ngram"): trained by `classifier train`.
 *  - Encoder + head (`switchyard.json` kind "encoder-head"): a Hugging Face feature-extraction model
 *    with a head trained by `classifier train --encoder`.
 *  - Anything else with `config.json` + `onnx/model.onnx` (or optimum-cli's root `model.onnx`): a Hugging Face text-classification model
 *    used as is (labels from `id2label`, temperature 1).
 */
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readFailure } from "../src/config/read-failure.js";
import { ClassifierModelError } from "./errors.js";
import { METADATA_FILE, ModelMetadataSchema, type ModelMetadata } from "./model-metadata.js";
import { loadEncoderHeadClassifier } from "./runtime/encoder-head-classifier.js";
import {
  LoadClassifierOptionsSchema,
  type IntentClassifier,
  type LoadClassifierOptions,
  type ResolvedLoadClassifierOptions,
} from "./runtime/intent-classifier.js";
import { HUGGING_FACE_FILES, missingModelFiles } from "./runtime/model-files.js";
import { folderVersion } from "./runtime/model-version.js";
import { loadNgramClassifier } from "./runtime/ngram-classifier.js";
import { loadTextClassificationModel } from "./runtime/text-classification-classifier.js";

/**
 * A model folder's JSON file, decoded as transformers.js decodes it (TextDecoder drops a UTF-8 BOM, as
 * Notepad and PowerShell write it); one that is not JSON is named on one line.
 */
function parseModelJson(bytes: Uint8Array, file: string, dir: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    // V8 quotes the file's text, newlines included: the message is one line on stderr.
    const reason = (error as Error).message.replace(/\s+/g, " ").trim();
    throw new ClassifierModelError(`invalid ${file}: not JSON (${reason})`, dir, { cause: error });
  }
}

async function readMetadata(dir: string): Promise<ModelMetadata | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, METADATA_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    // The cause is not printed by the CLI: the reason must be in the message (a directory, no permission).
    throw new ClassifierModelError(`cannot read ${METADATA_FILE} (${readFailure(error) ?? (error as Error).message})`, dir, { cause: error });
  }
  const result = ModelMetadataSchema.safeParse(parseModelJson(bytes, METADATA_FILE, dir));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ClassifierModelError(`invalid ${METADATA_FILE}: ${issue?.path.join(".")} ${issue?.message}`, dir);
  }
  return result.data;
}

/** The folder itself: a wrong path is the commonest mistake, and the later reads would not say so. */
async function checkFolder(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ClassifierModelError("no such folder", dir, { cause: error });
    throw new ClassifierModelError(`cannot open the model folder (${code ?? (error as Error).message})`, dir, { cause: error });
  }
  if (!isDirectory) throw new ClassifierModelError(`not a folder: a model is a folder holding ${METADATA_FILE} or config.json`, dir);
}

async function checkTextClassificationFiles(dir: string): Promise<void> {
  const missing = await missingModelFiles(dir);
  if (missing.includes("config.json")) {
    throw new ClassifierModelError(
      `not a model folder: it has neither ${METADATA_FILE} (a model trained by \`classifier train\`) nor config.json (a Hugging Face text-classification model)`,
      dir,
    );
  }
  if (missing.length > 0) {
    throw new ClassifierModelError(`incomplete Hugging Face text-classification model: missing ${missing.join(", ")}`, dir);
  }
}

/**
 * The JSON file of the model folder that is not JSON, named: transformers.js's own error ("Expected
 * property name or '}' in JSON at position 1") names no file. Run only once loading has failed, so
 * tokenizer.json (up to ~17 MB) is not parsed twice on every start and reload.
 */
async function checkJsonFiles(dir: string): Promise<void> {
  for (const file of HUGGING_FACE_FILES) {
    const bytes = await readFile(join(dir, file)).catch(() => undefined);
    if (bytes !== undefined) parseModelJson(bytes, file, dir);
  }
}

/** A model trained here lacks a file (a partial copy, a hand-deleted graph): name it, not transformers.js's `local_files_only` wording. */
async function checkNgramFiles(dir: string): Promise<void> {
  const missing = await missingModelFiles(dir);
  if (missing.length > 0) throw new ClassifierModelError(`incomplete model folder: missing ${missing.join(", ")}; retrain it or restore the files`, dir);
}

/** A folder trained here has model_type "switchyard-ngram", which only our loader can run. */
async function isSwitchyardModel(dir: string): Promise<boolean> {
  try {
    const config = parseModelJson(await readFile(join(dir, "config.json")), "config.json", dir) as { model_type?: unknown } | null;
    return config?.model_type === "switchyard-ngram";
  } catch {
    return false;
  }
}

/**
 * @example
 * const classifier = await loadIntentClassifier("classifiers/default");
 * const { intent, confidence, unsure } = await classifier.classify("hi there!");
 */
export async function loadIntentClassifier(dir: string, options: LoadClassifierOptions = {}): Promise<IntentClassifier> {
  const resolved = LoadClassifierOptionsSchema.parse(options);
  const isLocal = dir.startsWith(".") || dir.startsWith("/") || !resolved.allowRemoteModels;
  const folder = isLocal ? resolve(dir) : dir;
  if (isLocal) await checkFolder(folder);
  const metadata = isLocal ? await readMetadata(folder) : null;
  const version = isLocal ? await folderVersion(folder).catch((error: unknown) => {
    throw new ClassifierModelError("model folder not found or unreadable", folder, { cause: error });
  }) : `hub:${dir}`;
  if (isLocal && metadata?.kind === "ngram") await checkNgramFiles(folder);
  if (isLocal && metadata === null && (await isSwitchyardModel(folder))) {
    // Without it transformers.js says "Unsupported model type: switchyard-ngram", which names no file.
    throw new ClassifierModelError(`${METADATA_FILE} is missing (it holds the labels and calibration; retrain or restore it)`, folder);
  }
  if (isLocal && metadata === null) await checkTextClassificationFiles(folder);
  try {
    return await answering(await loadByKind(folder, metadata, version, resolved));
  } catch (error) {
    if (error instanceof ClassifierModelError) throw error;
    if (isLocal) await checkJsonFiles(folder);
    throw new ClassifierModelError(`cannot load model: ${(error as Error).message}`, folder, { cause: error });
  }
}

function loadByKind(folder: string, metadata: ModelMetadata | null, version: string, options: ResolvedLoadClassifierOptions): Promise<IntentClassifier> {
  if (metadata?.kind === "ngram") return loadNgramClassifier(folder, metadata, version, options);
  if (metadata?.kind === "encoder-head") return loadEncoderHeadClassifier(folder, metadata, version, options);
  return loadTextClassificationModel(folder, version, options);
}

/**
 * The classifier once it has answered one query: files that load but do not fit together (a graph
 * with another training's labels) fail here, at load, rather than on the first request.
 */
async function answering(classifier: IntentClassifier): Promise<IntentClassifier> {
  try {
    await classifier.classify(PROBE_QUERY);
    return classifier;
  } catch (error) {
    await classifier.dispose();
    throw error;
  }
}

/** Text every vocabulary can read (so the model runs, rather than answering "no evidence"). */
const PROBE_QUERY = "hello, can you help me with this?";
