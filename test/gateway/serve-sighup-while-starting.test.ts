/**
 * SIGHUP reloads the policies, but Node's default for it ends the process: one sent while the gateway
 * was still starting (a deploy script's reload right after the start, the seconds it loads) killed it
 * before it listened. Now it starts, and applies the reload once running. Start-up is held at a known
 * point by reading the classifier's switchyard.json from a FIFO the test writes.
 */
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { cp, type FileHandle, mkdtemp, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServe } from "../support/cli-process.js";
import { until } from "../support/until.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("switchyard serve, sent SIGHUP while it starts", { timeout: 90_000 }, () => {
  it("keeps starting, listens, reloads the policies once running and exits 0 on SIGTERM", async () => {
    const shipped = resolve(import.meta.dirname, "../../classifiers/default");
    const dir = await mkdtemp(join(tmpdir(), "switchyard-classifier-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(shipped, dir, { recursive: true });
    const metadata = await readFile(join(dir, "switchyard.json"));
    await rm(join(dir, "switchyard.json"));
    execFileSync("mkfifo", [join(dir, "switchyard.json")]);

    const serve = spawnServe({ SWITCHYARD_CLASSIFIER_DIR: dir });
    cleanups.push(serve.kill);
    const { child } = serve;

    // Opening the FIFO for writing succeeds once the gateway opened it to read: it is starting now. Not
    // a blocking open: one that stopped before (a start-up error) would leave it waiting forever.
    let fifo: FileHandle | undefined;
    await until(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited before it read the classifier:\n${serve.output()}`);
      fifo = await open(join(dir, "switchyard.json"), constants.O_WRONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENXIO") return undefined; // no reader yet
        throw error;
      });
      return fifo !== undefined;
    }, 30_000, 50);
    try {
      child.kill("SIGHUP");
      // Later reads (a reload) find a plain file.
      await writeFile(join(dir, "switchyard.next"), metadata);
      await rename(join(dir, "switchyard.next"), join(dir, "switchyard.json"));
      await fifo!.writeFile(metadata).catch(() => undefined);
    } finally {
      await fifo!.close();
    }

    // Rejects, naming how it ended, if the SIGHUP killed it.
    await serve.listening;
    await until(async () => serve.output().includes("SIGHUP: reloading policies"), 10_000, 50);
    child.kill("SIGTERM");
    expect((await serve.exited).code).toBe(0);
  });
});
