/**
 * One job on a fresh worker thread, bounded in time and heap: for work that must not hold the
 * serving thread (parsing a policy file an operator just saved) and whose input may be hostile, so
 * that a job too slow or too large is stopped and reported, not left to stall or crash the gateway.
 */
import type { SerialQueue } from "../serial-queue.js";
import { startTypeScriptWorker } from "./start-typescript-worker.js";

export interface WorkerLimits {
  /** How long the job may take before its worker is stopped. */
  timeoutMs: number;
  /** The worker's heap (old generation) limit. */
  maxHeapMb: number;
  /** Stops the worker at once (the gateway shutting down): the job rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Jobs given the same queue run one after another, so their heap limits never add up (a policy
   * check, a shadow candidate's and a budgets parse, each on a hostile file). The time limit starts
   * when the job's worker does.
   */
  turns?: SerialQueue | undefined;
}

/** The job outlasted `limits.timeoutMs`; its worker was stopped. */
export class WorkerTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the worker took longer than ${timeoutMs / 1000} s, so it was stopped`);
  }
}

/** The job needed more than `limits.maxHeapMb` of heap; its worker was stopped. */
export class WorkerOutOfMemory extends Error {
  constructor(readonly maxHeapMb: number) {
    super(`the worker needed more than the ${maxHeapMb} MiB of memory allowed`);
  }
}

/** Node's code for a worker stopped at its `resourceLimits`. */
const OUT_OF_MEMORY = "ERR_WORKER_OUT_OF_MEMORY";

/**
 * Runs the TypeScript module at `entry` on a fresh worker (it reads `workerData.data`) and resolves
 * with the first message it posts. Rejects with `WorkerTimedOut`, `WorkerOutOfMemory`, the signal's
 * reason, or the error the module threw; the worker is stopped either way.
 *
 * @example
 * const reply = await runTypeScriptWorker<CheckReply>(new URL("./check-worker.ts", import.meta.url), input, { timeoutMs: 60_000, maxHeapMb: 256 });
 */
export function runTypeScriptWorker<Reply>(entry: URL, data: unknown, limits: WorkerLimits): Promise<Reply> {
  return limits.turns ? limits.turns.run(() => runNow<Reply>(entry, data, limits)) : runNow<Reply>(entry, data, limits);
}

function runNow<Reply>(entry: URL, data: unknown, limits: WorkerLimits): Promise<Reply> {
  const { signal } = limits;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Reply>((resolve, reject) => {
    // The main thread's stack (V8's default, ~1 MB), not a worker's 4 MB: a file the gateway refuses
    // at start-up as nested too deep is refused alike on reload.
    const worker = startTypeScriptWorker(entry, data, { resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, stackSizeMb: 1 } });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
      outcome();
      void worker.terminate();
    };
    const stop = () => settle(() => reject(signal?.reason));
    signal?.addEventListener("abort", stop, { once: true });
    const timer = setTimeout(() => settle(() => reject(new WorkerTimedOut(limits.timeoutMs))), limits.timeoutMs);
    worker.once("message", (reply: Reply) => settle(() => resolve(reply)));
    worker.once("error", (error: Error & { code?: string }) => settle(() => reject(error.code === OUT_OF_MEMORY ? new WorkerOutOfMemory(limits.maxHeapMb) : error)));
    worker.once("exit", (code) => settle(() => reject(new Error(`the worker exited with code ${code} before answering`))));
  });
}
