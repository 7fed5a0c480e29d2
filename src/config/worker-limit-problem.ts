/** A policy file whose parse on a worker thread was stopped at the worker's limits, as a `ConfigError` ops can act on. */
import { WorkerOutOfMemory, WorkerTimedOut } from "../workers/run-typescript-worker.js";
import { ConfigError } from "./yaml-file.js";

/**
 * `error` as a problem on `file` when it is a worker stopped at its limits (`doing` says what the
 * worker was doing); any other error, unchanged.
 *
 * @example
 * throw workerLimitProblem(error, { path: "policies/budgets.yaml", bytes: 300_000 }, "parsing budgets.yaml");
 */
export function workerLimitProblem(error: unknown, file: { path: string; bytes: number }, doing: string): unknown {
  const what =
    error instanceof WorkerTimedOut
      ? `took longer than ${error.timeoutMs / 1000} s (the worker's start included), so it was stopped`
      : error instanceof WorkerOutOfMemory
        ? `needed more than the ${error.maxHeapMb} MiB of memory allowed`
        : undefined;
  if (what === undefined) return error;
  return new ConfigError([
    { file: file.path, line: 0, col: 0, path: "", message: `${doing} ${what}; the file is ${file.bytes} bytes, and the previous policy stays in force` },
  ]);
}
