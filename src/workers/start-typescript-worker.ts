/**
 * Worker threads for TypeScript modules. A worker starts without the TypeScript loader the main
 * thread runs under (tsx, or vitest in tests): `typescript-bootstrap.mjs` registers tsx in the worker,
 * then imports the module named here.
 */
import { Worker, type ResourceLimits } from "node:worker_threads";

/**
 * A worker running the TypeScript module at `entry`, which reads `data` as `workerData.data`.
 *
 * @example
 * const worker = startTypeScriptWorker(new URL("./train-members-worker.ts", import.meta.url), { job });
 */
export function startTypeScriptWorker(entry: URL, data: unknown, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  return new Worker(new URL("./typescript-bootstrap.mjs", import.meta.url), {
    workerData: { entry: entry.href, data },
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
}
