/** A model folder's version: the SHA-256 of its files (names and bytes), so any retraining changes it. */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";

/**
 * The folder's files, relative and sorted, links to files included: a Hugging Face cache snapshot
 * is a folder of links into its `blobs/`, and its files are the model as much as copies would be.
 */
export async function modelFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile()) return path;
      if (!entry.isSymbolicLink()) return undefined;
      const target = await stat(path).catch(() => undefined); // a dangling link is no file
      return target?.isFile() ? path : undefined;
    }),
  );
  return files
    .filter((path): path is string => path !== undefined)
    .map((path) => relative(dir, path))
    .sort();
}

export async function folderVersion(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await modelFiles(dir)) {
    hash.update(file).update("\0").update(await readFile(join(dir, file))).update("\0");
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}
