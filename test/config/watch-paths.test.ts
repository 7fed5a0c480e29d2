/**
 * watchPaths' own contract, beside the policy store and budgets.yaml tests that use it: nothing is
 * called while nothing changes, and a file too large to hash every few seconds is still followed.
 */
import { appendFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
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

/**
 * A folder of which only named entries count (the policy folder: the files a reload reads): writes to
 * other files beside them (an editor's swap file, budgets.yaml) call nothing, while a named file's
 * creation, edit, and a ConfigMap's `..data` swap under it still do.
 */
describe("watchPaths on a folder's named entries", () => {
  let dir: string | undefined;
  let watch: PathWatch | undefined;
  afterEach(async () => {
    watch?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("calls for the named files only, events or none", async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-watch-named-"));
    const folder = dir;
    let calls = 0;
    watch = watchPaths({ folders: [{ dir: folder, names: ["routing.yaml", "intents.yaml"] }], onChange: () => calls++, debounceMs: 20, pollMs: 50 });
    await writeFile(join(folder, "routing.yaml"), "version: 1\n");
    await until(() => calls === 1);
    await writeFile(join(folder, ".routing.yaml.swp"), "swap");
    await writeFile(join(folder, "budgets.yaml"), "version: 1\n");
    // The next named edit is the next call: the writes above, events and periodic checks alike, made none.
    await sleep(300);
    await writeFile(join(folder, "intents.yaml"), "intents: {}\n");
    await until(() => calls >= 2);
    expect(calls).toBe(2);
  });

  it("follows a ConfigMap mounted whole (routing.yaml -> ..data/routing.yaml) through ..data swaps", async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-watch-configmap-"));
    const folder = dir;
    await mkdir(join(folder, "..v1"));
    await writeFile(join(folder, "..v1", "routing.yaml"), "v1");
    await symlink("..v1", join(folder, "..data"));
    await symlink("..data/routing.yaml", join(folder, "routing.yaml"));
    let calls = 0;
    watch = watchPaths({ folders: [{ dir: folder, names: ["routing.yaml"] }], onChange: () => calls++, debounceMs: 20, pollMs: 0 });
    await sleep(100);
    for (const [i, version] of ["..v2", "..v3"].entries()) {
      await mkdir(join(folder, version));
      await writeFile(join(folder, version, "routing.yaml"), version);
      await symlink(version, join(folder, "..data_tmp"));
      await rename(join(folder, "..data_tmp"), join(folder, "..data"));
      await until(() => calls === i + 1);
    }
  });
});
