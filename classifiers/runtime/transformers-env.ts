/**
 * transformers.js keeps its settings in one global `env` object. Every load sets the two settings
 * it depends on, immediately before loading, so that one classifier configured for the Hub cannot
 * leave downloads switched on for the next.
 */
import { env } from "@huggingface/transformers";
import type { ResolvedLoadClassifierOptions } from "./intent-classifier.js";

export function configureTransformers(options: ResolvedLoadClassifierOptions): { local_files_only: boolean; cache_dir?: string } {
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemoteModels;
  return { local_files_only: !options.allowRemoteModels, ...(options.cacheDir ? { cache_dir: options.cacheDir } : {}) };
}

/** ONNX Runtime session options: single-threaded sessions answer one short query fastest. */
export function sessionOptions(options: ResolvedLoadClassifierOptions): Record<string, unknown> {
  return { intraOpNumThreads: options.threads, interOpNumThreads: 1, graphOptimizationLevel: "all" };
}
