/**
 * Every file the gateway reads from its policy directory, validated by the loader the gateway itself
 * uses for it — so `policy check` passes a directory exactly when the gateway would start on it (and
 * a reload would take it). The rules live in those loaders only; this module just runs them all and
 * gathers their problems.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { appendProblems, ConfigError, expectPolicyFolder, type ConfigProblem } from "../config/yaml-file.js";
import { loadContextConfig } from "../context/config.js";
import { loadPiiPolicy, piiPolicyPath } from "../pii/policy/load.js";
import { loadBudgetPolicy } from "../usage/budgets/load.js";
import { loadPolicyDir, misnamedFiles, type LoadedPolicy, type LoadPolicyOptions } from "./load.js";
import { BUDGETS_FILE, CONTEXT_FILE, PII_FILE } from "./schema.js";

/**
 * The gateway's loaders for the files beside the routing policy (routing.yaml, intents.yaml and
 * models.yaml are `loadPolicyDir`'s). Each throws `ConfigError`; a missing optional file is no error.
 */
const OTHER_FILES: readonly { name: string; load(dir: string): Promise<unknown> }[] = [
  // Required: the gateway does not start without it.
  { name: PII_FILE, load: (dir) => loadPiiPolicy(piiPolicyPath(dir)) },
  { name: BUDGETS_FILE, load: (dir) => loadBudgetPolicy(join(dir, BUDGETS_FILE)) },
  // The file only: the environment's REDIS_URL and keys are the deployment's, not the directory's.
  { name: CONTEXT_FILE, load: (dir) => loadContextConfig({}, dir) },
];

export interface CheckedPolicyDir extends LoadedPolicy {
  /** Every file checked besides `files` (the routing policy's), that exists. */
  otherFiles: string[];
}

/**
 * Loads the routing policy and every other policy file of `dir` as the gateway does. Throws one
 * `ConfigError` with the problems of all files.
 *
 * @example
 * const { policy, files, otherFiles } = await checkPolicyDir({ dir: "policies" });
 */
export async function checkPolicyDir(options: LoadPolicyOptions): Promise<CheckedPolicyDir> {
  // Alone: every file below would fail with it.
  await expectPolicyFolder(options.dir);
  const problems: ConfigProblem[] = [];
  let omitted = 0;
  const collect = async <T>(load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      appendProblems(problems, error.problems);
      omitted += error.omitted;
      return undefined;
    }
  };
  const loaded = await collect(() => loadPolicyDir(options));
  for (const file of OTHER_FILES) await collect(() => file.load(options.dir));
  if (!loaded || problems.length > 0) throw new ConfigError(problems, omitted);
  const otherFiles = OTHER_FILES.map((file) => join(options.dir, file.name)).filter((path) => existsSync(path));
  return { ...loaded, warnings: [...loaded.warnings, ...(await misnamedFiles(options.dir))], otherFiles };
}
