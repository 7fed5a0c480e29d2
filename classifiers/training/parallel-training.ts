/**
 * Trains ensemble members on worker threads, one per core, so an ensemble of two costs the wall
 * time of one model on a 2-core box. Results are identical to training them one after the other:
 * each member has its own seed and the same data.
 */
import { availableParallelism } from "node:os";
import { startTypeScriptWorker } from "../../src/workers/start-typescript-worker.js";
import type { BagExample, BagModel } from "../ngram/bag-model.js";
import { trainBagModel, type BagTrainingOptions } from "./train-bag-model.js";

/** Examples flattened into two row arrays plus offsets: cheap to copy to a worker. */
export interface PackedTrainingJob {
  charRows: Int32Array;
  charOffsets: Int32Array;
  wordRows: Int32Array;
  wordOffsets: Int32Array;
  labels: Int32Array;
  shape: { rows: number; classes: number };
  options: BagTrainingOptions;
}

function pack(examples: readonly BagExample[], group: "charRows" | "wordRows"): { rows: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(examples.length + 1);
  examples.forEach((example, i) => (offsets[i + 1] = (offsets[i] as number) + example[group].length));
  const rows = new Int32Array(offsets[examples.length] as number);
  examples.forEach((example, i) => rows.set(example[group], offsets[i] as number));
  return { rows, offsets };
}

export function unpackExamples(job: PackedTrainingJob): BagExample[] {
  return Array.from({ length: job.labels.length }, (_, i) => ({
    charRows: job.charRows.subarray(job.charOffsets[i] as number, job.charOffsets[i + 1] as number),
    wordRows: job.wordRows.subarray(job.wordOffsets[i] as number, job.wordOffsets[i + 1] as number),
  }));
}

function trainOnWorker(job: PackedTrainingJob): Promise<BagModel> {
  return new Promise((resolve, reject) => {
    const worker = startTypeScriptWorker(new URL("./train-members-worker.ts", import.meta.url), job);
    worker.once("message", (model: BagModel) => {
      resolve(model);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`training worker exited with code ${code}`));
    });
  });
}

export async function trainMembersInParallel(
  examples: readonly BagExample[],
  labels: Int32Array,
  shape: { rows: number; classes: number },
  memberOptions: readonly BagTrainingOptions[],
): Promise<BagModel[]> {
  if (memberOptions.length === 1 || availableParallelism() === 1) {
    return memberOptions.map((options) => trainBagModel(examples, labels, shape, options));
  }
  const chars = pack(examples, "charRows");
  const words = pack(examples, "wordRows");
  return Promise.all(
    memberOptions.map((options) =>
      trainOnWorker({
        charRows: chars.rows,
        charOffsets: chars.offsets,
        wordRows: words.rows,
        wordOffsets: words.offsets,
        labels,
        shape,
        options,
      }),
    ),
  );
}
