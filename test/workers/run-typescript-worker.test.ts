/**
 * `runTypeScriptWorker` runs one job on a fresh worker within a time and heap limit: a job that
 * never ends or grows without bound is stopped and reported as such, a job's own error is passed on,
 * and an aborted signal stops it at once.
 */
import { describe, expect, it } from "vitest";
import { workerLimitProblem } from "../../src/config/worker-limit-problem.js";
import { ConfigError } from "../../src/config/yaml-file.js";
import { SerialQueue } from "../../src/serial-queue.js";
import { runTypeScriptWorker, WorkerOutOfMemory, WorkerTimedOut } from "../../src/workers/run-typescript-worker.js";

const JOB = new URL("../support/test-worker.ts", import.meta.url);
// A worker's start (tsx, then the job's imports) takes 0.5-1 s, more on a loaded box.
const LIMITS = { timeoutMs: 20_000, maxHeapMb: 64 };

describe("a job on a worker thread", { timeout: 60_000 }, () => {
  it("answers within its limits", async () => {
    expect(await runTypeScriptWorker(JOB, "answer", LIMITS)).toEqual({ answered: true });
  });

  it("that never ends is stopped at its time limit", async () => {
    await expect(runTypeScriptWorker(JOB, "loop", { ...LIMITS, timeoutMs: 3_000 })).rejects.toBeInstanceOf(WorkerTimedOut);
  });

  it("that outgrows its heap is stopped at the limit", async () => {
    const error = await runTypeScriptWorker(JOB, "hog", LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerOutOfMemory);
    expect((error as WorkerOutOfMemory).maxHeapMb).toBe(64);
  });

  it("passes the job's own error on", async () => {
    await expect(runTypeScriptWorker(JOB, "throw", LIMITS)).rejects.toThrow("the job failed");
  });

  it("is stopped at once by its signal, with the signal's reason", async () => {
    const stopping = new AbortController();
    const running = runTypeScriptWorker(JOB, "loop", { ...LIMITS, signal: stopping.signal });
    stopping.abort(new Error("shutting down"));
    await expect(running).rejects.toThrow("shutting down");
  });

  it("waits for its turn behind a job given the same queue, and starts none once its signal stopped it", async () => {
    const turns = new SerialQueue();
    const first = new AbortController();
    const looping = runTypeScriptWorker(JOB, "loop", { ...LIMITS, signal: first.signal, turns });
    let answered = false;
    const answering = runTypeScriptWorker(JOB, "answer", { ...LIMITS, turns }).then((reply) => ((answered = true), reply));
    const second = new AbortController();
    const stopped = runTypeScriptWorker(JOB, "loop", { ...LIMITS, signal: second.signal, turns });
    second.abort(new Error("shutting down"));
    // A worker answers in about a second on its own; this one waits while the first job runs.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(answered).toBe(false);
    first.abort(new Error("first stopped"));
    await expect(looping).rejects.toThrow("first stopped");
    expect(await answering).toEqual({ answered: true });
    // Its turn came after its signal had stopped it: it never started looping, so it ends at once.
    await expect(stopped).rejects.toThrow("shutting down");
  });
});

describe("a worker stopped at its limits, as a policy file's problem", () => {
  const file = { path: "policies/intents.yaml", bytes: 1_000_000 };

  it("names the file and says which limit stopped it", () => {
    const timedOut = workerLimitProblem(new WorkerTimedOut(60_000), file, "checking the policy files");
    expect(timedOut).toBeInstanceOf(ConfigError);
    expect((timedOut as ConfigError).problems).toEqual([
      {
        file: "policies/intents.yaml",
        line: 0,
        col: 0,
        path: "",
        message: "checking the policy files took longer than 60 s (the worker's start included), so it was stopped; the file is 1000000 bytes, and the previous policy stays in force",
      },
    ]);
    const outOfMemory = workerLimitProblem(new WorkerOutOfMemory(512), file, "checking the policy files") as ConfigError;
    expect(outOfMemory.problems[0]?.message).toMatch(/^checking the policy files needed more than the 512 MiB of memory allowed; the file is 1000000 bytes/);
  });

  it("leaves any other error as it is", () => {
    const other = new Error("the gateway is shutting down");
    expect(workerLimitProblem(other, file, "checking the policy files")).toBe(other);
  });
});
