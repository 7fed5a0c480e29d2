/**
 * A training interrupted while writing its model (Ctrl-C, a kill) leaves its hidden staging folder
 * beside --out; the next write of that model removes such leftovers, and only those.
 */
import { mkdir, readdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeModelFolder } from "../../classifiers/model-folder.js";
import { useTempDir } from "./fixtures.js";

const dir = useTempDir("switchyard-staging-");

async function folderFrom(name: string, secondsAgo: number): Promise<void> {
  await mkdir(join(dir(), name, "onnx"), { recursive: true });
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(join(dir(), name), when, when);
}

describe("writeModelFolder and the staging folders of interrupted writes", () => {
  it("removes this model's leftovers from before this process, keeps a fresh one and other models'", async () => {
    const startedAgo = process.uptime();
    await folderFrom(".model.tmp-AbC123", startedAgo + 3600);
    await folderFrom(".model.tmp-XyZ789.previous", startedAgo + 60);
    await folderFrom(".model.tmp-fresh1", 0);
    await folderFrom(".other.tmp-OLD456", startedAgo + 3600);
    await folderFrom(".model.tmp-keep", startedAgo + 3600);
    await writeModelFolder(join(dir(), "model"), new Map([["switchyard.json", "{}"]]));
    expect((await readdir(dir())).sort()).toEqual([".model.tmp-fresh1", ".model.tmp-keep", ".other.tmp-OLD456", "model"]);
  });
});
