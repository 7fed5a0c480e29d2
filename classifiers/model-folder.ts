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
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return null;
    throw new ClassifierModelError(`cannot open it (${error.code ?? error.message})`, target, { cause: error });
  });
  // The staging folder is created beside the target: found out only after training otherwise.
  await checkCanCreateIn(dirname(target), target);
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

/**
 * `parent` (created with its missing ancestors when the model is written) can take a new folder:
 * its nearest existing ancestor is a folder in which one can be created. Tried, not inferred from
 * permission bits, which do not tell for root, read-only mounts or /proc.
 */
async function checkCanCreateIn(parent: string, target: string): Promise<void> {
  let existing = parent;
  let stats = await stat(existing).catch(() => null);
  while (stats === null && dirname(existing) !== existing) {
    existing = dirname(existing);
    stats = await stat(existing).catch(() => null);
  }
  if (stats !== null && !stats.isDirectory()) throw new ClassifierModelError(`cannot be created: ${existing} is not a folder`, target);
  try {
    await rm(await mkdtemp(join(existing, `.${basename(target)}.probe-`)), { recursive: true, force: true });
  } catch (error) {
    throw new ClassifierModelError(`cannot be created in ${existing} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, target, { cause: error });
  }
}

export async function writeModelFolder(out: string, files: ModelFiles): Promise<void> {
  const target = resolve(out);
  await checkModelFolderTarget(target);
  try {
    await replaceWith(target, files);
  } catch (error) {
    if (error instanceof ClassifierModelError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ClassifierModelError(`cannot write the model folder (${reason}: ${(error as Error).message})`, target, { cause: error });
  }
}

async function replaceWith(target: string, files: ModelFiles): Promise<void> {
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
  // Only once the new model is in place: an interrupted write may have left the old one in `.previous`.
  await removeInterruptedWrites(parent, basename(target));
}

/**
 * A write interrupted by Ctrl-C or a kill leaves its staging folder (or the old model moved aside)
 * beside the target. Those of this target, from before this process started, are removed; a newer
 * one may belong to a write in progress.
 */
async function removeInterruptedWrites(parent: string, name: string): Promise<void> {
  const leftover = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.tmp-[A-Za-z0-9]{6}(\\.previous)?$`);
  const processStarted = Date.now() - process.uptime() * 1000;
  for (const entry of await readdir(parent).catch(() => [])) {
    if (!leftover.test(entry)) continue;
    const path = join(parent, entry);
    const stats = await stat(path).catch(() => null);
    if (stats?.isDirectory() && stats.mtimeMs < processStarted) await rm(path, { recursive: true, force: true });
  }
}

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
