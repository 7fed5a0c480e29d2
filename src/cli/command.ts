import type { Readable, Writable } from "node:stream";
import { setVariables } from "../config/env.js";

/** What a CLI command gets instead of touching `process` directly, so tests can drive it in-process. */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A CLI command: takes its own argv (after the command words) and returns the exit code. */
export interface CliCommand {
  /** One line shown by `npm run cli -- help`. */
  summary: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/**
 * Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. Every command and
 * subcommand then prints its usage on stdout and exits 0, whatever else was given.
 */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/** Thrown for bad command-line usage; printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function processIO(): CliIO {
  // Every command reads only set variables: `SWITCHYARD_POLICY_DIR=` means the default folder, not "".
  const env = setVariables(process.env);
  // `npm run` moves to the package root before running a script; INIT_CWD is where the operator typed
  // it, which is what a relative path they give (or set in a variable) is relative to.
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env, cwd: env.INIT_CWD ?? process.cwd() };
}
