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
import { configJobOnWorker } from "../config/config-job-on-worker.js";
import type { WorkerLimits } from "../workers/run-typescript-worker.js";
import type { CheckedPolicyFiles, PolicyCheckInput } from "./check-files.js";

/**
 * The check's worker limits (`WorkerLimits`). Defaults: 60 s; a heap of 512 MiB, since the densest
 * intents.yaml allowed (1 MiB of one-letter examples in one flow list, `[a,a,…]`) needs 256–512 MiB and
 * a file the gateway starts with must reload too. A file past either fails the reload; `signal` stops a
 * check running (the gateway shutting down); `turns` queues it behind the other reload workers.
 */
export type OffThreadCheckOptions = Partial<WorkerLimits>;

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
  const limits: WorkerLimits = { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB };
  return configJobOnWorker(new URL("./check-worker.ts", import.meta.url), limits, (input: PolicyCheckInput) => ({
    file: largestFile(input),
    doing: "checking the policy files, this one the largest,",
  }));
}
