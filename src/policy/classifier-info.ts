/**
 * What the routing policy checks know of the loaded intent classifier besides its labels: its folder
 * (named in "retrain into …" advice) and the hash of the examples it was trained on, to tell a
 * classifier trained on other examples than intents.yaml holds.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { parseLabelledExamples, trainingDataHash } from "../../classifiers/data/training-data.js";
import { METADATA_FILE } from "../../classifiers/model-metadata.js";

export interface ClassifierInfo {
  /** The model folder, as the gateway loaded it. */
  dir: string;
  /**
   * `switchyard.json` `trainingDataHash` of an n-gram model (trained here from intents.yaml by
   * default). Absent for other kinds: an encoder head or a Hugging Face model is often trained on
   * other data on purpose, so a different hash says nothing.
   */
  trainingDataHash?: string | undefined;
}

const NgramHashSchema = z.looseObject({ kind: z.literal("ngram"), trainingDataHash: z.string().min(1) });

/**
 * The folder's info as the gateway would load it. Unreadable or foreign metadata gives no hash: the
 * classifier loader reports the folder's own problems, and this check is only advice.
 */
export async function readClassifierInfo(dir: string): Promise<ClassifierInfo> {
  try {
    const parsed = NgramHashSchema.safeParse(JSON.parse(await readFile(join(dir, METADATA_FILE), "utf8")));
    return parsed.success ? { dir, trainingDataHash: parsed.data.trainingDataHash } : { dir };
  } catch {
    return { dir };
  }
}

/** The hash `classifier train --data <intents.yaml>` stores for this file; undefined when it has no trainable examples. */
export function intentsTrainingDataHash(path: string, text: string): string | undefined {
  try {
    return trainingDataHash(parseLabelledExamples(text, path, "yaml"));
  } catch {
    return undefined;
  }
}

/** The command retraining the classifier on intents.yaml, as the warnings print it. */
export function retrainCommand(intentsPath: string, classifier: ClassifierInfo | undefined): string {
  return `npm run cli -- classifier train --data ${intentsPath} --out ${classifier?.dir ?? "<classifier folder>"}`;
}
