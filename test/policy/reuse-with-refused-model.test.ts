/**
 * A reload of unchanged files starts no worker, also while a retrained classifier sits refused in its
 * folder and a shadow candidate is configured. Each reload then checks three inputs (the active policy
 * against the retrained model and against the one answering, and the candidate): with room for two
 * answers they evicted each other, and every SIGHUP started three workers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkPolicyFilesOffThread } from "../../src/policy/off-thread-check.js";
import { PolicyStore } from "../../src/policy/store.js";
import { memoryLogger, policyDir, ROUTING_YAML } from "./support.js";

let workersStarted = 0;
// The real workers, counted.
vi.mock("../../src/workers/start-typescript-worker.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/workers/start-typescript-worker.js")>();
  return {
    ...real,
    startTypeScriptWorker: (...args: Parameters<typeof real.startTypeScriptWorker>) => {
      workersStarted++;
      return real.startTypeScriptWorker(...args);
    },
  };
});

describe("reused checks with a shadow candidate and a refused retrained classifier", { timeout: 120_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it("a second reload of unchanged files starts no worker and reports the same refusal", async () => {
    const dir = await policyDir();
    cleanup.push(dir.remove);
    const shadowDir = await mkdtemp(join(tmpdir(), "switchyard-shadow-"));
    cleanup.push(() => rm(shadowDir, { recursive: true, force: true }));
    await writeFile(join(shadowDir, "routing.yaml"), ROUTING_YAML.replace("code-to-cloud", "candidate-rule"));
    const answering = { labels: ["greeting", "code"], version: "model-1", info: { dir: "/models/intent" } };
    // Retrained without 'code', which routing.yaml names: the policy refuses it at every reload.
    const retrained = { labels: ["greeting"], version: "model-2", info: { dir: "/models/intent" } };
    const store = await PolicyStore.open({
      dir: dir.dir,
      log: memoryLogger().log,
      shadowDir,
      classifierSource: {
        current: () => answering,
        reload: { folders: [], prepare: async () => ({ ...retrained, commit: () => undefined, discard: async () => undefined }) },
      },
      check: checkPolicyFilesOffThread(),
    });
    cleanup.push(() => store.close());
    const first = await store.reload("signal");
    expect(first.ok).toBe(false);
    expect(workersStarted).toBe(3);
    const second = await store.reload("signal");
    expect(second.ok).toBe(false);
    if (first.ok || second.ok) return;
    expect(second.error.message).toBe(first.error.message);
    expect(second.error.message).toContain("the retrained intent classifier in this folder is not taken");
    expect(workersStarted).toBe(3);
  });
});
