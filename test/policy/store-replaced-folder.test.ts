/**
 * The policy folder is often replaced rather than edited: a Kubernetes ConfigMap mounted with `items`
 * paths (`policies -> ..data/policies`, `..data` swapped atomically), an `ln -sfn` release switch, a
 * `mv new policies`. A watch on the folder follows the old inode and goes quiet after the first swap;
 * a policy file linked to a file elsewhere sends no event in the folder at all. Every version that
 * lands on disk must go live, whichever way it landed.
 */
import { cp, mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyStore } from "../../src/policy/store.js";
import { memoryLogger } from "./support.js";
import { until } from "../support/until.js";

const SHIPPED = join(import.meta.dirname, "..", "..", "policies");
const shippedRouting = await readFile(join(SHIPPED, "routing.yaml"), "utf8");
/** The shipped routing.yaml with a marker: another file hash, so another version. */
const routingOf = (tag: string) => `${shippedRouting}\n# ${tag}\n`;

/** Polls (never a fixed sleep) with a deadline well above the 5 s default backstop. */
/** The version a fresh load of `dir` gives: what the watching store must converge to. */
async function versionOnDisk(dir: string): Promise<string> {
  const fresh = await PolicyStore.open({ dir, log: memoryLogger().log });
  await fresh.close();
  return fresh.version;
}

/** A copy of the shipped policies at `dir`, with routing.yaml tagged. */
async function release(dir: string, tag: string): Promise<void> {
  await cp(SHIPPED, dir, { recursive: true });
  await writeFile(join(dir, "routing.yaml"), routingOf(tag));
}

describe("PolicyStore.watch when the policy folder is replaced", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function base(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-replaced-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function watching(dir: string, extra: { pollMs?: number } = {}) {
    const logger = memoryLogger();
    const store = await PolicyStore.open({ dir, log: logger.log, debounceMs: 30, ...extra });
    cleanup.push(() => store.close());
    store.watch();
    return { store, logger };
  }

  /** Each swap must bring its own version live, not only the first one. */
  async function expectEverySwapGoesLive(store: PolicyStore, dir: string, swap: (tag: string) => Promise<void>) {
    const seen = [store.version];
    for (const tag of ["v2", "v3", "v4"]) {
      await swap(tag);
      const expected = await versionOnDisk(dir);
      expect(expected).not.toBe(seen.at(-1));
      await until(() => store.version === expected);
      seen.push(store.version);
    }
    expect(new Set(seen).size).toBe(4);
    expect(store.lastError).toBeNull();
  }

  it("follows a ConfigMap mounted with items paths (policies -> ..data/policies) through three ..data swaps", async () => {
    const mount = await base();
    await release(join(mount, "..v1", "policies"), "v1");
    await symlink("..v1", join(mount, "..data"));
    await symlink(join("..data", "policies"), join(mount, "policies"));
    const dir = join(mount, "policies");
    const { store } = await watching(dir);

    await expectEverySwapGoesLive(store, dir, async (tag) => {
      // What kubelet's atomic writer does: a new folder, a temporary link renamed over ..data, the old folder removed.
      const previous = await readlink(join(mount, "..data"));
      await release(join(mount, `..${tag}`, "policies"), tag);
      await symlink(`..${tag}`, join(mount, "..data_tmp"));
      await rename(join(mount, "..data_tmp"), join(mount, "..data"));
      await rm(join(mount, previous), { recursive: true, force: true });
    });
  });

  it("follows an ln -sfn style release switch of the folder itself, three times", async () => {
    const root = await base();
    await release(join(root, "rel-v1"), "v1");
    await symlink("rel-v1", join(root, "current"));
    const dir = join(root, "current");
    const { store } = await watching(dir);

    let previous = "rel-v1";
    await expectEverySwapGoesLive(store, dir, async (tag) => {
      await release(join(root, `rel-${tag}`), tag);
      await symlink(`rel-${tag}`, join(root, "current.tmp"));
      await rename(join(root, "current.tmp"), join(root, "current"));
      await rm(join(root, previous), { recursive: true, force: true });
      previous = `rel-${tag}`;
    });
  });

  it("follows a new folder moved over the old one (mv new policies), three times", async () => {
    const root = await base();
    const dir = join(root, "policies");
    await release(dir, "v1");
    const { store } = await watching(dir);

    await expectEverySwapGoesLive(store, dir, async (tag) => {
      await release(join(root, "new"), tag);
      await rename(dir, join(root, "old"));
      await rename(join(root, "new"), dir);
      await rm(join(root, "old"), { recursive: true, force: true });
    });
  });

  it("reloads when a policy file is a symlink to a file outside the folder and that file changes", async () => {
    const root = await base();
    const dir = join(root, "policies");
    await release(dir, "v1");
    await mkdir(join(root, "repo"));
    await writeFile(join(root, "repo", "routing.yaml"), routingOf("outside-v1"));
    await rm(join(dir, "routing.yaml"));
    await symlink(join(root, "repo", "routing.yaml"), join(dir, "routing.yaml"));
    const { store } = await watching(dir);

    await expectEverySwapGoesLive(store, dir, async (tag) => {
      if (tag === "v3") {
        // An editor's atomic save of the target: a temporary file renamed over it.
        await writeFile(join(root, "repo", ".routing.yaml.tmp"), routingOf(tag));
        await rename(join(root, "repo", ".routing.yaml.tmp"), join(root, "repo", "routing.yaml"));
      } else {
        await writeFile(join(root, "repo", "routing.yaml"), routingOf(tag));
      }
    });
  });

  it("catches a swap no watched folder reports, with the periodic check alone", async () => {
    // The link switched is the folder's grandparent: no watch sees it, only the backstop.
    const root = await base();
    await release(join(root, "rel-v1", "policies"), "v1");
    await symlink("rel-v1", join(root, "current"));
    const dir = join(root, "current", "policies");
    const { store } = await watching(dir, { pollMs: 200 });

    await expectEverySwapGoesLive(store, dir, async (tag) => {
      await release(join(root, `rel-${tag}`, "policies"), tag);
      await symlink(`rel-${tag}`, join(root, "current.tmp"));
      await rename(join(root, "current.tmp"), join(root, "current"));
    });
  });

  it("counts a shadow candidate that failed at start-up once, not again when the watch starts", async () => {
    const root = await base();
    const dir = join(root, "policies");
    await release(dir, "v1");
    await mkdir(join(root, "candidate"));
    await writeFile(join(root, "candidate", "routing.yaml"), "version: 1\nrules: [ broken\n");
    const store = await PolicyStore.open({ dir, log: memoryLogger().log, debounceMs: 30, pollMs: 40, shadowDir: join(root, "candidate") });
    cleanup.push(() => store.close());
    expect(store.status().shadow?.reloadFailures).toBe(1);
    store.watch();
    await sleep(400); // the first fingerprints and ten periodic checks
    expect(store.status().shadow?.reloadFailures).toBe(1);
    expect(store.reloads).toBe(0);
  });

  it("does not reload while nothing changes, and stops checking once closed", async () => {
    const root = await base();
    const dir = join(root, "policies");
    await release(dir, "v1");
    const { store, logger } = await watching(dir, { pollMs: 40 });
    const watchReloads = () => logger.lines().filter((line) => line.trigger === "watch").length;

    await sleep(400); // ten periodic checks
    await writeFile(join(root, "unrelated.txt"), "beside the folder, not in it");
    await sleep(300);
    expect(store.reloads).toBe(0);
    expect(watchReloads()).toBe(0);

    await store.close();
    await writeFile(join(dir, "routing.yaml"), routingOf("after-close"));
    await sleep(400);
    expect(store.reloads).toBe(0);
  });
});
