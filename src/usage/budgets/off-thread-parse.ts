/**
 * budgets.yaml parsed on a worker thread at each reload, as routing.yaml and intents.yaml are
 * checked (src/policy/off-thread-check.ts): a 256 KiB file of budgets parses in ~0.5 s, which the
 * requests being served would otherwise wait out.
 */
import { configJobOnWorker } from "../../config/config-job-on-worker.js";
import type { WorkerLimits } from "../../workers/run-typescript-worker.js";
import type { BudgetPolicy } from "./schema.js";

/** Stopped past these; budgets.yaml may be at most 256 KiB, parsed in about a second at worst. */
const LIMITS: WorkerLimits = { timeoutMs: 60_000, maxHeapMb: 256 };

/**
 * `parseBudgetPolicy` on a worker: the same budgets, or the same `ConfigError`; a `ConfigError` too
 * when the parse outgrew the worker's time or memory. `options.signal` stops a parse running (the
 * gateway shutting down).
 *
 * @example
 * const policy = await reloadBudgetPolicy(file, { loaded: true, parse: parseBudgetsOffThread({ signal }) });
 */
export function parseBudgetsOffThread(options: Partial<WorkerLimits> = {}): (file: string, text: string) => Promise<BudgetPolicy> {
  const limits: WorkerLimits = { ...options, timeoutMs: options.timeoutMs ?? LIMITS.timeoutMs, maxHeapMb: options.maxHeapMb ?? LIMITS.maxHeapMb };
  const parse = configJobOnWorker<{ file: string; text: string }, BudgetPolicy>(new URL("./parse-worker.ts", import.meta.url), limits, ({ file, text }) => ({
    file: { path: file, bytes: Buffer.byteLength(text) },
    doing: "parsing budgets.yaml",
  }));
  return (file, text) => parse({ file, text });
}
