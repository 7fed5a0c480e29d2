/**
 * Writes a model folder atomically: every file goes to a temporary sibling folder, which replaces
 * the target only once complete, so a failed or interrupted training never leaves a half-written
 * model where the gateway loads one.
 */
import { chmod, mkdir, mkdtemp, readdir, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ClassifierModelError } from "./errors.js";

/** Relative path inside the folder → content. */
export type ModelFiles = ReadonlyMap<string, Uint8Array | string>;

/**
 * Replacing `out` deletes what was there, so only a model folder (switchyard.json, or a Hugging Face
 * folder's config.json with tokenizer.json) or an empty folder may be replaced: `--out .` or `--out models/` must not wipe
 * a working tree or a folder of other models, and `--out` naming a file must not delete it.
 */
export async function checkModelFolderTarget(out: string): Promise<void> {
  const target = resolve(out);
  const stats = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (stats === null) return;
  if (!stats.isDirectory()) throw new ClassifierModelError("exists and is not a model folder (it is a file); choose another --out", target);
  const entries = await readdir(target);
  // config.json alone is too common (many projects have one) to stand for a model folder.
  const isModel = entries.includes("switchyard.json") || (entries.includes("config.json") && entries.includes("tokenizer.json"));
  if (entries.length > 0 && !isModel) {
    throw new ClassifierModelError(
      "exists and is not a model folder (no switchyard.json, nor config.json with tokenizer.json); it would be replaced, so choose a new or empty folder",
      target,
    );
  }
}

/**
 * Whether `path` is `folder` or inside it once symlinks are followed: replacing `folder` would delete
 * it. A path or folder that does not exist is inside nothing.
 */
export async function isInsideFolder(path: string, folder: string): Promise<boolean> {
  const real = (p: string) => realpath(p).catch(() => null);
  const [inner, outer] = await Promise.all([real(path), real(folder)]);
  if (inner === null || outer === null) return false;
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

export async function writeModelFolder(out: string, files: ModelFiles): Promise<void> {
  const target = resolve(out);
  await checkModelFolderTarget(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  const previous = `${staging}.previous`;
  let hadPrevious = false;
  try {
    // mkdtemp creates the folder private (0700); a model folder is meant to be read by the gateway's user.
    await chmod(staging, 0o755);
    for (const [path, content] of files) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    hadPrevious = await rename(target, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    try {
      await rename(staging, target);
    } catch (error) {
      // The old model was moved aside already: put it back, or --out would be left without a model.
      if (hadPrevious) await rename(previous, target);
      hadPrevious = false;
      throw error;
    }
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
