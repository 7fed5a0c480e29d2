/**
 * Files beside the routing policy that the gateway reads at start-up only (models.yaml, pii.yaml,
 * context.yaml). A policy reload cannot apply an edit to them, and without a word the operator would
 * believe it had: the reload answers 200 while the engine keeps the old recognizers. So their bytes are
 * recorded when the gateway starts and every reload warns about each that differs on disk now.
 */
import { createHash } from "node:crypto";
import { ConfigError, formatProblem, readConfigFile } from "../config/yaml-file.js";

export interface StartupFile {
  path: string;
  /** SHA-256 of the bytes read at start-up (hex); undefined when the file did not exist. */
  sha256: string | undefined;
}

async function hashOf(path: string): Promise<string | undefined> {
  const bytes = await readConfigFile(path);
  return bytes && createHash("sha256").update(bytes).digest("hex");
}

/**
 * Records the files as they are now. Call it before the gateway reads them, so an edit made while it
 * starts shows as a difference rather than hiding in what was recorded.
 *
 * @example
 * const startupFiles = await recordStartupFiles([join(dir, "pii.yaml"), join(dir, "models.yaml")]);
 */
export async function recordStartupFiles(paths: readonly string[]): Promise<StartupFile[]> {
  return Promise.all(paths.map(async (path) => ({ path, sha256: await hashOf(path) })));
}

/** One warning per recorded file whose content on disk is no longer what the gateway read. */
export async function restartWarnings(files: readonly StartupFile[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const file of files) {
    let now: string | undefined;
    try {
      now = await hashOf(file.path);
    } catch (error) {
      // Not the routing policy's to refuse: the reload goes on, and says what it could not compare.
      if (!(error instanceof ConfigError)) throw error;
      warnings.push(`${error.problems.map(formatProblem).join("; ")}: cannot compare with the file read at start-up`);
      continue;
    }
    if (now === file.sha256) continue;
    const change = now === undefined ? "was removed" : file.sha256 === undefined ? "was created" : "changed";
    warnings.push(`${file.path} ${change} since start-up; the gateway reads it at start-up only: restart to apply`);
  }
  return warnings;
}
