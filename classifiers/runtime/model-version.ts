/** A model folder's version: the SHA-256 of its files (names and bytes), so any retraining changes it. */
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

export async function folderVersion(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await listFiles(dir)) {
    hash.update(file).update("\0").update(await readFile(join(dir, file))).update("\0");
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}
