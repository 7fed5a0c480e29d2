/**
 * The policy files' parse and checks on a worker thread. The yaml library takes 1–7 µs a byte: a
 * 256 KiB routing.yaml of rules ~0.5 s, a 1 MiB intents.yaml written as one flow list ~7 s. On the
 * serving thread every request waited that long at each reload; on a worker the gateway keeps
 * answering, and a file that would take the worker too long or too much memory fails the reload
 * (the last good policy keeps serving) instead of stalling or crashing the gateway.
 *
 * One worker per check: reloads are rare (an edit, SIGHUP, the admin API), and a fresh worker leaves
 * nothing behind when a hostile file made it fail.
 */
import { ConfigError, type ConfigProblem } from "../config/yaml-file.js";
import { startTypeScriptWorker } from "../workers/start-typescript-worker.js";
import type { CheckedPolicyFiles, PolicyCheckInput } from "./check-files.js";

/** What the worker posts back: the check, or the problems of a `ConfigError` it threw. */
export type CheckReply = { checked: CheckedPolicyFiles } | { problems: ConfigProblem[] };

export interface OffThreadCheckOptions {
  /** How long a check may take before its worker is stopped and the reload fails. Default 60 s. */
  timeoutMs?: number | undefined;
  /** The worker's heap limit: a file whose parse needs more fails the reload. Default 256 MiB, four times what the largest intents.yaml allowed (1 MiB of one flow list) needs. */
  maxHeapMb?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_HEAP_MB = 256;

/** Node's code for a worker stopped at its `resourceLimits`. */
const OUT_OF_MEMORY = "ERR_WORKER_OUT_OF_MEMORY";

/** The largest of the files checked: the one to blame when the check as a whole was too costly. */
function largestFile(input: PolicyCheckInput): { path: string; bytes: number } {
  return [input.routing, input.intents, input.pii]
    .filter((file) => file !== undefined)
    .reduce((largest, file) => (file.bytes > largest.bytes ? file : largest), input.routing);
}

const tooCostly = (input: PolicyCheckInput, what: string): ConfigError => {
  const file = largestFile(input);
  return new ConfigError([
    { file: file.path, line: 0, col: 0, path: "", message: `${what} (the largest of the policy files, ${file.bytes} bytes); the previous policy stays in force` },
  ]);
};

/**
 * `LoadPolicyOptions.check` running `checkPolicyFiles` on a worker thread. Resolves with the same
 * result as on this thread; rejects with a `ConfigError` when the check outgrew its time or memory.
 *
 * @example
 * const store = await PolicyStore.open({ dir, log, check: checkPolicyFilesOffThread() });
 */
export function checkPolicyFilesOffThread(options: OffThreadCheckOptions = {}): (input: PolicyCheckInput) => Promise<CheckedPolicyFiles> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  return (input) =>
    new Promise<CheckedPolicyFiles>((resolve, reject) => {
      const worker = startTypeScriptWorker(new URL("./check-worker.ts", import.meta.url), input, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
        void worker.terminate();
      };
      const timer = setTimeout(
        () => settle(() => reject(tooCostly(input, `checking the policy files took longer than ${timeoutMs / 1000} s, so it was stopped`))),
        timeoutMs,
      );
      worker.once("message", (reply: CheckReply) =>
        settle(() => ("checked" in reply ? resolve(reply.checked) : reject(new ConfigError(reply.problems)))),
      );
      worker.once("error", (error: Error & { code?: string }) =>
        settle(() => reject(error.code === OUT_OF_MEMORY ? tooCostly(input, `parsing the policy files needed more than the ${maxHeapMb} MiB of memory allowed`) : error)),
      );
      worker.once("exit", (code) => settle(() => reject(new Error(`the worker checking the policy files exited with code ${code} before answering`))));
    });
}
