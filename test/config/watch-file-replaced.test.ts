/**
 * budgets.yaml lives in the policy folder, so it is replaced with it: a ConfigMap mounted with
 * `items` paths swaps `..data`, a release switch or `mv new policies` puts another folder at the same
 * path, and the file may be a symlink to one elsewhere. A watch on the file's folder follows the old
 * inode; every replacement must still reach `onChange`, with what is on disk then.
 */
import { mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { watchFile, type FileWatch } from "../../src/config/watch-file.js";
import { until } from "../support/until.js";

const budgets = (tag: string) => `version: 1\n# ${tag}\n`;

// `until` polls with a deadline (8 s) well above the 5 s default backstop.

describe("watchFile when the file's folder is replaced", () => {
  let root: string | undefined;
  let watch: FileWatch | undefined;
  afterEach(async () => {
    watch?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /**
   * Watches `file` as the gateway watches budgets.yaml (with a catch-up read once the watch is ready)
   * and records what the file holds at each call.
   */
  function watching(file: string): string[] {
    const seen: string[] = [];
    // Mid-swap the file may be gone for a moment (between the two renames of `mv`); the swap's next
    // event reads it again. Any other read failure is the test's to report.
    const read = () =>
      readFile(file, "utf8").then(
        (text) => seen.push(text),
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") seen.push(`read failed: ${error.code ?? error.message}`);
        },
      );
    watch = watchFile(file, () => void read(), { debounceMs: 30, catchUp: true });
    return seen;
  }

  async function expectEverySwapSeen(seen: string[], swap: (tag: string) => Promise<void>) {
    for (const tag of ["v2", "v3", "v4"]) {
      await swap(tag);
      await until(() => seen.at(-1) === budgets(tag));
    }
  }

  it("sees three ..data swaps of a ConfigMap mounted with items paths (policies -> ..data/policies)", async () => {
    root = await mkdtemp(join(tmpdir(), "switchyard-watch-file-"));
    await mkdir(join(root, "..v1", "policies"), { recursive: true });
    await writeFile(join(root, "..v1", "policies", "budgets.yaml"), budgets("v1"));
    await symlink("..v1", join(root, "..data"));
    await symlink(join("..data", "policies"), join(root, "policies"));
    const mount = root;
    const seen = watching(join(mount, "policies", "budgets.yaml"));

    await expectEverySwapSeen(seen, async (tag) => {
      const previous = await readlink(join(mount, "..data"));
      await mkdir(join(mount, `..${tag}`, "policies"), { recursive: true });
      await writeFile(join(mount, `..${tag}`, "policies", "budgets.yaml"), budgets(tag));
      await symlink(`..${tag}`, join(mount, "..data_tmp"));
      await rename(join(mount, "..data_tmp"), join(mount, "..data"));
      await rm(join(mount, previous), { recursive: true, force: true });
    });
  });

  it("sees a new folder moved over the old one (mv new policies), three times", async () => {
    root = await mkdtemp(join(tmpdir(), "switchyard-watch-file-"));
    const dir = join(root, "policies");
    await mkdir(dir);
    await writeFile(join(dir, "budgets.yaml"), budgets("v1"));
    const base = root;
    const seen = watching(join(dir, "budgets.yaml"));

    await expectEverySwapSeen(seen, async (tag) => {
      await mkdir(join(base, "new"));
      await writeFile(join(base, "new", "budgets.yaml"), budgets(tag));
      await rename(dir, join(base, "old"));
      await rename(join(base, "new"), dir);
      await rm(join(base, "old"), { recursive: true, force: true });
    });
  });

  it("sees changes of the file a budgets.yaml symlink points to, outside the folder", async () => {
    root = await mkdtemp(join(tmpdir(), "switchyard-watch-file-"));
    const repo = join(root, "repo");
    await mkdir(join(root, "policies"));
    await mkdir(repo);
    await writeFile(join(repo, "budgets.yaml"), budgets("v1"));
    await symlink(join(repo, "budgets.yaml"), join(root, "policies", "budgets.yaml"));
    const seen = watching(join(root, "policies", "budgets.yaml"));

    await expectEverySwapSeen(seen, async (tag) => {
      if (tag === "v3") {
        await writeFile(join(repo, ".budgets.yaml.tmp"), budgets(tag));
        await rename(join(repo, ".budgets.yaml.tmp"), join(repo, "budgets.yaml"));
      } else {
        await writeFile(join(repo, "budgets.yaml"), budgets(tag));
      }
    });
  });

  it("catches a change no event reports with the periodic check, and calls nothing while the file stays the same", async () => {
    root = await mkdtemp(join(tmpdir(), "switchyard-watch-file-"));
    // The switched link is two levels up: no folder the watch listens to sees it.
    await mkdir(join(root, "rel-v1", "policies"), { recursive: true });
    await writeFile(join(root, "rel-v1", "policies", "budgets.yaml"), budgets("v1"));
    await symlink("rel-v1", join(root, "current"));
    const file = join(root, "current", "policies", "budgets.yaml");
    let calls = 0;
    watch = watchFile(file, () => calls++, { debounceMs: 30, pollMs: 50 });
    await sleep(400);
    expect(calls).toBe(0);

    await mkdir(join(root, "rel-v2", "policies"), { recursive: true });
    await writeFile(join(root, "rel-v2", "policies", "budgets.yaml"), budgets("v2"));
    await symlink("rel-v2", join(root, "current.tmp"));
    await rename(join(root, "current.tmp"), join(root, "current"));
    await until(() => calls === 1);
    await sleep(300);
    expect(calls).toBe(1);
  });
});
