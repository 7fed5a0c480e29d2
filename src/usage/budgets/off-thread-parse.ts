/**
 * budgets.yaml parsed on a worker thread at each reload, as routing.yaml and intents.yaml are
 * checked (src/policy/off-thread-check.ts): a 256 KiB file of budgets parses in ~0.5 s, which the
 * requests being served would otherwise wait out.
 */
import { fromConfigReply, type ConfigReply } from "../../config/config-reply.js";
import { workerLimitProblem } from "../../config/worker-limit-problem.js";
import { reuseRecentAnswers } from "../../workers/reuse-recent-answers.js";
import { runTypeScriptWorker, type WorkerLimits } from "../../workers/run-typescript-worker.js";
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
  const limits: WorkerLimits = { ...LIMITS, ...options };
  // The parse is a pure function of the file's name and text: a reload of an unchanged file needs no worker.
  const parse = reuseRecentAnswers((input: { file: string; text: string }) => runTypeScriptWorker<ConfigReply<BudgetPolicy>>(new URL("./parse-worker.ts", import.meta.url), input, limits));
  return async (file, text) => {
    let reply: ConfigReply<BudgetPolicy>;
    try {
      reply = await parse({ file, text });
    } catch (error) {
      throw workerLimitProblem(error, { path: file, bytes: Buffer.byteLength(text) }, "parsing budgets.yaml");
    }
    return fromConfigReply(reply);
  };
}
