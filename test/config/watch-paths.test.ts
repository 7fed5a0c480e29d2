/**
 * watchPaths' own contract, beside the policy store and budgets.yaml tests that use it: nothing is
 * called while nothing changes, and a file too large to hash every few seconds is still followed.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { watchPaths, type PathWatch } from "../../src/config/watch-paths.js";
import { until } from "../support/until.js";

describe("watchPaths", () => {
  let dir: string | undefined;
  let watch: PathWatch | undefined;
  afterEach(async () => {
    watch?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("follows a file over the hashing limit by its size and times, and calls nothing while it stays put", async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-watch-paths-"));
    await writeFile(join(dir, "big.yaml"), "#".repeat(2 * 1024 * 1024));
    let calls = 0;
    // Events off in effect (a debounce longer than the test): only the periodic check can see the change.
    watch = watchPaths({ folders: [dir], onChange: () => calls++, debounceMs: 60_000, pollMs: 50 });
    await sleep(400);
    expect(calls).toBe(0);
    await appendFile(join(dir, "big.yaml"), "\n# more\n");
    await until(() => calls === 1);
  });
});

/**
 * A folder that does not exist yet (a shadow candidate not yet deployed) was reported at start as a
 * folder that cannot be watched, at level error with a stack, though the periodic check follows it.
 */
describe("watchPaths on a folder that does not exist yet", () => {
  let parent: string | undefined;
  let watch: PathWatch | undefined;
  afterEach(async () => {
    watch?.close();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it("reports no watch failure while the periodic check runs, and sees the folder appear", async () => {
    parent = await mkdtemp(join(tmpdir(), "switchyard-watch-missing-"));
    const folder = join(parent, "shadow");
    const failures: string[] = [];
    let calls = 0;
    watch = watchPaths({ folders: [folder], onChange: () => calls++, pollMs: 50, onWatchError: (_error, at) => failures.push(at) });
    await sleep(200);
    expect(failures).toEqual([]);
    await mkdir(folder);
    await writeFile(join(folder, "routing.yaml"), "version: 1\n");
    await until(() => calls >= 1);
    expect(failures).toEqual([]);
  });

  it("still reports it without the periodic check, which alone would see it appear", async () => {
    parent = await mkdtemp(join(tmpdir(), "switchyard-watch-missing-"));
    const failures: string[] = [];
    watch = watchPaths({ folders: [join(parent, "shadow")], onChange: () => undefined, pollMs: 0, onWatchError: (_error, at) => failures.push(at) });
    expect(failures).toContain(join(parent, "shadow"));
  });
});
