/**
 * Writes a model folder atomically: every file goes to a temporary sibling folder, which replaces
 * the target only once complete, so a failed or interrupted training never leaves a half-written
 * model where the gateway loads one.
 */
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** Relative path inside the folder → content. */
export type ModelFiles = ReadonlyMap<string, Uint8Array | string>;

export async function writeModelFolder(out: string, files: ModelFiles): Promise<void> {
  const target = resolve(out);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    // mkdtemp creates the folder private (0700); a model folder is meant to be read by the gateway's user.
    await chmod(staging, 0o755);
    for (const [path, content] of files) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    const previous = `${staging}.previous`;
    const hadPrevious = await rename(target, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    await rename(staging, target);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
