/**
 * Reload outcomes of the policy files that reload together (routing + intents in the policy store,
 * budgets.yaml beside it): a load error as the admin API and the logs report it, and one result for
 * a reload that covered several files.
 */
import { basename } from "node:path";
import { ConfigError, MAX_REPORTED_PROBLEMS, problemLines, type ConfigProblem } from "../config/yaml-file.js";
import type { ProviderStatus } from "../providers/types.js";
import type { PolicyLoadFailure, PolicyStatus, ReloadResult, ReloadTrigger } from "./store.js";

/**
 * A failed load as `file:line:col` problems; an error that is not a `ConfigError` (an unreadable
 * file) becomes one problem on `file`. At most `MAX_REPORTED_PROBLEMS` are kept, for the log line and
 * `GET /admin/policies`; the message says how many more there were.
 */
export function loadFailure(error: unknown, trigger: ReloadTrigger, file: string, at: Date = new Date()): PolicyLoadFailure {
  const problems = problemsOf(error, file);
  const omitted = omittedOf(error);
  return {
    at: at.toISOString(),
    trigger,
    message: problemLines(problems, omitted).join("\n"),
    problems: problems.slice(0, MAX_REPORTED_PROBLEMS),
    problemCount: problems.length + omitted,
  };
}

/** How many of a load error's problems it does not list (a worker sends at most `MAX_SENT_PROBLEMS`). */
export const omittedOf = (error: unknown): number => (error instanceof ConfigError ? error.omitted : 0);

/** A load error's problems; an error that is not a `ConfigError` (an unreadable file) is one problem on `file`. */
export function problemsOf(error: unknown, file: string): ConfigProblem[] {
  return error instanceof ConfigError ? error.problems : [{ file, line: 0, col: 0, path: "", message: error instanceof Error ? error.message : String(error) }];
}

/**
 * The routing reload's result with another file's failure folded in: any invalid file makes the
 * reload a failure, with every problem listed. The routing version is the one serving either way
 * (each file that loaded is in force; each that did not keeps its previous content).
 */
export function withFailure(result: ReloadResult, other: PolicyLoadFailure | undefined): ReloadResult {
  if (!other) return result;
  if (result.ok) return { ok: false, version: result.version, error: other };
  return { ok: false, version: result.version, error: joinedFailures(result.error, other, result.error) };
}

/** The reload state of a file that reloads beside the routing policy (budgets.yaml). */
export interface FileReloadState {
  /** Loads since start that put new content in force (one that read what was in force already is none). */
  reloads: number;
  /** Failed loads since start. */
  failures: number;
  /** The most recent failed load, until a later load succeeds. */
  lastError: PolicyLoadFailure | null;
}

/**
 * The routing policy's status with another file's reload state folded in, for `GET /admin/policies`:
 * its reloads that took effect count in `reloads`, its failures in `reloadFailures`, and its current
 * error is part of `lastError` (both files' problems when both are invalid; the later attempt's time
 * and trigger).
 */
export function statusWith(status: PolicyStatus, other: FileReloadState): PolicyStatus {
  return {
    ...status,
    reloads: status.reloads + other.reloads,
    reloadFailures: status.reloadFailures + other.failures,
    lastError: latestOf(status.lastError, other.lastError),
  };
}

function latestOf(a: PolicyLoadFailure | null, b: PolicyLoadFailure | null): PolicyLoadFailure | null {
  if (!a || !b) return a ?? b;
  const [first, second] = a.at <= b.at ? [a, b] : [b, a];
  return joinedFailures(first, second, second);
}

/** Both failures' problems, `first`'s listed first, as one failure at the time and trigger of `stamp`. */
function joinedFailures(first: PolicyLoadFailure, second: PolicyLoadFailure, stamp: PolicyLoadFailure): PolicyLoadFailure {
  return {
    at: stamp.at,
    trigger: stamp.trigger,
    message: `${first.message}\n${second.message}`,
    problems: [...first.problems, ...second.problems],
    problemCount: first.problemCount + second.problemCount,
  };
}

/**
 * The policy's line in `/readyz`: the version serving and, while the files on disk fail to load, that
 * the last reload failed, when, and on which files. Always ready — the last good version serves, and
 * `/readyz` gates traffic — but the first place ops look says the edit did not take. `/readyz` is
 * unauthenticated: file names only, no folder and no problem text (it can quote a file's content).
 *
 * @example policyReadiness(status).detail; // "routing policy 1a2b…"
 */
export function policyReadiness(status: PolicyStatus): ProviderStatus {
  const serving = `routing policy ${status.version}`;
  const failure = status.lastError;
  if (!failure) return { state: "ready", detail: serving };
  const files = [...new Set(failure.problems.map((problem) => basename(problem.file)))].join(", ");
  const count = failure.problemCount;
  return {
    state: "ready",
    detail:
      `${serving} serving; the last reload (${failure.trigger}, ${failure.at}) failed: ${files} invalid (${count} problem${count === 1 ? "" : "s"}), ` +
      "so the previous version of each invalid file keeps serving; GET /admin/policies or the log lists the problems",
  };
}
