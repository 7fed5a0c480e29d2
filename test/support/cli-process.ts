/**
 * `npm run cli -- …` as a real process run to its end, the way an operator or a script runs it: the
 * exit code and both streams. The environment is minimal (PATH, HOME and what the test gives), so a
 * developer's own SWITCHYARD_* or OPENAI_* variables cannot change what a test sees.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");

export interface CliProcessResult {
  /** null when the process was killed (see `killAfterMs`). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcessOptions {
  env?: Record<string, string>;
  stdin?: string;
  /**
   * Kill the process after this long: for `serve` runs expected to refuse to start, which would
   * otherwise listen until the test times out. `code` is then null.
   */
  killAfterMs?: number;
  /**
   * Close the process's stdout before it starts, as `… | head -1` or `| true` does: every write it
   * makes meets EPIPE, and `stdout` is "".
   */
  closeStdout?: boolean;
  /** Write stdout to this file (`> /dev/full`) instead of a pipe; `stdout` is then "". */
  stdoutPath?: string;
}

/** @example const { code, stderr } = await runCliProcess(["policy", "check", dir]); */
export function runCliProcess(args: readonly string[], options: CliProcessOptions = {}): Promise<CliProcessResult> {
  const stdoutFd = options.stdoutPath === undefined ? undefined : openSync(options.stdoutPath, "w");
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["pipe", stdoutFd ?? "pipe", "pipe"],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  let stdout = "";
  let stderr = "";
  if (options.closeStdout) child.stdout?.destroy();
  else child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.end(options.stdin ?? "");
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
