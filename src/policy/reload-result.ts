/**
 * Reload outcomes of the policy files that reload together (routing + intents in the policy store,
 * budgets.yaml beside it): a load error as the admin API and the logs report it, and one result for
 * a reload that covered several files.
 */
import { ConfigError, type ConfigProblem, formatProblem } from "../config/yaml-file.js";
import type { PolicyLoadFailure, ReloadResult, ReloadTrigger } from "./store.js";

/**
 * A failed load as `file:line:col` problems; an error that is not a `ConfigError` (an unreadable
 * file) becomes one problem on `file`.
 */
export function loadFailure(error: unknown, trigger: ReloadTrigger, file: string, at: Date = new Date()): PolicyLoadFailure {
  const problems: ConfigProblem[] =
    error instanceof ConfigError ? error.problems : [{ file, line: 0, col: 0, path: "", message: error instanceof Error ? error.message : String(error) }];
  return { at: at.toISOString(), trigger, message: problems.map(formatProblem).join("\n"), problems };
}

/**
 * The routing reload's result with another file's failure folded in: any invalid file makes the
 * reload a failure, with every problem listed. The routing version is the one serving either way
 * (each file that loaded is in force; each that did not keeps its previous content).
 */
export function withFailure(result: ReloadResult, other: PolicyLoadFailure | undefined): ReloadResult {
  if (!other) return result;
  if (result.ok) return { ok: false, version: result.version, error: other };
  const problems = [...result.error.problems, ...other.problems];
  return { ok: false, version: result.version, error: { ...result.error, message: `${result.error.message}\n${other.message}`, problems } };
}
