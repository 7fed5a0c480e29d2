/**
 * watchPaths' own contract, beside the policy store and budgets.yaml tests that use it: nothing is
 * called while nothing changes, and a file too large to hash every few seconds is still followed.
 */
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
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
