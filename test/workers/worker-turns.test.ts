/**
 * Jobs sharing a queue (`WorkerLimits.turns`) run one worker at a time: the next starts only once the
 * previous worker has exited, not merely once its job settled. A worker stopped at its time limit on a
 * hostile file still holds its heap until it exits; the runner used to hand the turn on before that.
 */
import type { Worker } from "node:worker_threads";
import { describe, expect, it, vi } from "vitest";
import { SerialQueue } from "../../src/serial-queue.js";
import { runTypeScriptWorker } from "../../src/workers/run-typescript-worker.js";

const events: string[] = [];
// The real workers, with their starts and exits written down.
vi.mock("../../src/workers/start-typescript-worker.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/workers/start-typescript-worker.js")>();
  let n = 0;
  return {
    ...real,
    startTypeScriptWorker: (entry: URL, data: unknown, options?: Parameters<typeof real.startTypeScriptWorker>[2]): Worker => {
      const id = ++n;
      events.push(`start ${id}`);
      const worker = real.startTypeScriptWorker(entry, data, options);
      worker.once("exit", () => events.push(`exit ${id}`));
      return worker;
    },
  };
});

const JOB = new URL("../support/test-worker.ts", import.meta.url);

describe("jobs sharing turns", { timeout: 60_000 }, () => {
  it("start the next worker only once the previous one, stopped at its time limit, has exited", async () => {
    const turns = new SerialQueue();
    const looping = runTypeScriptWorker(JOB, "loop", { timeoutMs: 4_000, maxHeapMb: 64, turns }).catch((e: unknown) => e);
    const next = runTypeScriptWorker(JOB, "answer", { timeoutMs: 20_000, maxHeapMb: 64, turns });
    await looping;
    expect(await next).toEqual({ answered: true });
    expect(events.slice(0, 3)).toEqual(["start 1", "exit 1", "start 2"]);
  });
});
