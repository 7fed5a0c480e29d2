/**
 * The policy files' parse and checks on a worker thread. The yaml library takes 1–7 µs a byte: a
 * 256 KiB routing.yaml of rules ~0.5 s, a 1 MiB intents.yaml written as one flow list ~2–7 s. On the
 * serving thread every request waited that long at each reload; on a worker the gateway keeps
 * answering, and a file that would take the worker too long or too much memory fails the reload
 * (the last good policy keeps serving) instead of stalling or crashing the gateway.
 *
 * One worker per check: reloads are rare (an edit, SIGHUP, the admin API), and a fresh worker leaves
 * nothing behind when a hostile file made it fail.
 */
import { fromConfigReply, type ConfigReply } from "../config/config-reply.js";
import { workerLimitProblem } from "../config/worker-limit-problem.js";
import type { SerialQueue } from "../serial-queue.js";
import { reuseRecentAnswers } from "../workers/reuse-recent-answers.js";
import { runTypeScriptWorker } from "../workers/run-typescript-worker.js";
import type { CheckedPolicyFiles, PolicyCheckInput } from "./check-files.js";

export interface OffThreadCheckOptions {
  /** How long a check may take before its worker is stopped and the reload fails. Default 60 s. */
  timeoutMs?: number | undefined;
  /**
   * The worker's heap limit: a file whose parse needs more fails the reload. Default 512 MiB: the
   * densest intents.yaml allowed (1 MiB of one-letter examples in one flow list, `[a,a,…]`) needs
   * 256–512 MiB, and a file the gateway starts with must reload too.
   */
  maxHeapMb?: number | undefined;
  /** Stops any check running (the gateway shutting down): its reload fails with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Checks given this queue wait for each other and for the other reload workers given it (`WorkerLimits.turns`). */
  turns?: SerialQueue | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_HEAP_MB = 512;

/** The largest of the files checked: the one to blame when the check as a whole was too costly. */
function largestFile(input: PolicyCheckInput): { path: string; bytes: number } {
  return [input.routing, input.intents, input.pii]
    .filter((file) => file !== undefined)
    .reduce((largest, file) => (file.bytes > largest.bytes ? file : largest), input.routing);
}

/**
 * `LoadPolicyOptions.check` running `checkPolicyFiles` on a worker thread. Resolves with the same
 * result as on this thread; rejects with a `ConfigError` when the check outgrew its time or memory.
 *
 * @example
 * const store = await PolicyStore.open({ dir, log, check: checkPolicyFilesOffThread() });
 */
export function checkPolicyFilesOffThread(options: OffThreadCheckOptions = {}): (input: PolicyCheckInput) => Promise<CheckedPolicyFiles> {
  const limits = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB, signal: options.signal, turns: options.turns };
  // The check is a pure function of its input: a reload of unchanged files needs no worker.
  const check = reuseRecentAnswers((input: PolicyCheckInput) => runTypeScriptWorker<ConfigReply<CheckedPolicyFiles>>(new URL("./check-worker.ts", import.meta.url), input, limits));
  return async (input) => {
    let reply: ConfigReply<CheckedPolicyFiles>;
    try {
      reply = await check(input);
    } catch (error) {
      throw workerLimitProblem(error, largestFile(input), "checking the policy files, this one the largest,");
    }
    return fromConfigReply(reply);
  };
}
