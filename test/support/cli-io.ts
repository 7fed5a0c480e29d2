/**
 * A command of the CLI run in this process, the way its tests drive it: stdin given, stdout and
 * stderr captured as text. (`cli-process.ts` runs the real `npm run cli` process instead.)
 */
import { PassThrough, Readable } from "node:stream";
import type { CliCommand, CliIO } from "../../src/cli/command.js";

export interface CapturedIOOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** A string is read as one chunk; nothing at all is an empty stream. */
  stdin?: Readable | string;
}

/**
 * @example
 * const io = capturedIO({ cwd: dir, stdin: "" });
 * expect(await createPolicyCommand().run(["check"], io)).toBe(0);
 * expect(io.out()).toContain("ok");
 */
export function capturedIO(options: CapturedIOOptions): CliIO & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const stdin = typeof options.stdin === "string" ? Readable.from([options.stdin]) : (options.stdin ?? Readable.from([]));
  return { stdin, stdout, stderr, env: options.env ?? {}, cwd: options.cwd, out: () => out, err: () => err };
}

/** Runs `command` with `argv` in this process and returns its exit code and both streams. */
export async function runInProcess(command: CliCommand, argv: string[], options: CapturedIOOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIO(options);
  const code = await command.run(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
