/**
 * writeModelFolder when the final rename fails (on Windows a file of the old model held open by a
 * running gateway does this): the previous model must still be at --out afterwards.
 */
import { readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { tempDir } from "./fixtures.js";

const failing = vi.hoisted(() => ({ staging: false }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (failing.staging && /\.tmp-[A-Za-z0-9]+$/.test(from)) throw Object.assign(new Error(`EPERM: operation not permitted, rename '${from}'`), { code: "EPERM" });
      return actual.rename(from, to);
    },
  };
});

const { writeModelFolder } = await import("../../classifiers/model-folder.js");

describe("writeModelFolder when moving the new folder into place fails", () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("puts the previous model back and leaves no temporary folders", async () => {
    dir = await tempDir("switchyard-review-folder-");
    const out = join(dir, "model");
    await mkdir(out);
    await writeFile(join(out, "config.json"), "old");
    await writeFile(join(out, "switchyard.json"), "{}");
    failing.staging = true;
    await expect(writeModelFolder(out, new Map([["config.json", "new"]]))).rejects.toThrow(/EPERM/);
    failing.staging = false;
    expect(await readFile(join(out, "config.json"), "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["model"]);
  });
});
