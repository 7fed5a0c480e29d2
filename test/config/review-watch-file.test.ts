/**
 * Kubernetes mounts a ConfigMap as `budgets.yaml -> ..data/budgets.yaml` and updates it by swapping
 * the `..data` symlink: the folder's events then name `..data` / `..data_tmp`, never the file. A
 * watch that only listens for the file's own name misses every ConfigMap update.
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { watchFile, type FileWatch } from "../../src/config/watch-file.js";

let dir: string | undefined;
let watch: FileWatch | undefined;
afterEach(async () => {
  watch?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = async (done: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe("watching a file mounted from a Kubernetes ConfigMap", () => {
  it("reloads when the ..data symlink is swapped", async () => {
    dir = await mkdtemp(join(tmpdir(), "review-watch-"));
    await mkdir(join(dir, "..v1"));
    await writeFile(join(dir, "..v1", "budgets.yaml"), "version: 1\n");
    await symlink("..v1", join(dir, "..data"));
    await symlink(join("..data", "budgets.yaml"), join(dir, "budgets.yaml"));
    let changes = 0;
    watch = watchFile(join(dir, "budgets.yaml"), () => changes++, { debounceMs: 20 });
    await new Promise((r) => setTimeout(r, 50));

    // What kubelet's atomic writer does: a new timestamped folder, a temporary link, a rename over ..data.
    await mkdir(join(dir, "..v2"));
    await writeFile(join(dir, "..v2", "budgets.yaml"), "version: 1\ndefault: { monthly_usd: 5, action: deny }\n");
    await symlink("..v2", join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
    await until(() => changes > 0);
    expect(changes).toBeGreaterThan(0);
  });

  it("still ignores other files of the folder", async () => {
    dir = await mkdtemp(join(tmpdir(), "review-watch-"));
    await writeFile(join(dir, "budgets.yaml"), "version: 1\n");
    let changes = 0;
    watch = watchFile(join(dir, "budgets.yaml"), () => changes++, { debounceMs: 20 });
    await writeFile(join(dir, "routing.yaml"), "version: 1\n");
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toBe(0);
    await writeFile(join(dir, "budgets.yaml"), "version: 1\ntenants: {}\n");
    await until(() => changes > 0);
    expect(changes).toBeGreaterThan(0);
  });
});
