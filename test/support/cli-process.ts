/**
 * `npm run cli -- …` as a real process run to its end, the way an operator or a script runs it: the
 * exit code and both streams. The environment is minimal (PATH, HOME and what the test gives), so a
 * developer's own SWITCHYARD_* or OPENAI_* variables cannot change what a test sees.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
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

/** How long `spawnServe`'s `exited` waits for the output still in the pipes once the process exited. */
const OUTPUT_GRACE_MS = 2_000;

/** A `serve` process a test started: its output so far, its address once it listens, its end. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, as they came. */
  output(): string;
  /** The address from its "listening" log line; rejects with its output if it exits before. */
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL unless it has ended: for a test's cleanup. */
  kill(): Promise<void>;
}

/**
 * `npm start`'s code path as a real process (PORT 0 unless `env` says otherwise), with the same minimal
 * environment as `runCliProcess`.
 *
 * @example const serve = spawnServe({ SWITCHYARD_POLICY_DIR: dir }); cleanups.push(serve.kill); const url = await serve.listening;
 */
export function spawnServe(env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
  });
  let output = "";
  // "exit", not "close": the process's own end, which a process it started (llama.cpp) may outlive
  // holding the pipes open (40 s in a shutdown test). Its last lines may still be in the pipes then:
  // read until they close, but no longer than OUTPUT_GRACE_MS.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => {
      const grace = setTimeout(() => done({ code, signal }), OUTPUT_GRACE_MS);
      child.once("close", () => (clearTimeout(grace), done({ code, signal })));
    }),
  );
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((end) => reject(new Error(`serve exited (${JSON.stringify(end)}) before it listened:\n${output}`)));
  });
  // A test that never awaits it (one that expects the process to stop first) must not fail on it.
  listening.catch(() => undefined);
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    listening,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
