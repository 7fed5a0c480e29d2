/**
 * The CLI's last line of defence: a `ConfigError` a command lets through is printed as one
 * `<command>: <problem>` line per problem on stderr, exit 1 — never as a stack trace. Before, only
 * `UsageError` was caught and every other error reached `main.ts`'s stack-printing handler.
 */
import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UsageError, type CliCommand, type CliIO } from "../../src/cli/command.js";
import { runCli, type CommandTable } from "../../src/cli/run.js";
import { ConfigError } from "../../src/config/yaml-file.js";

function io(): CliIO & { out(): string; err(): string } {
  let out = "";
  let err = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  return {
    stdin: Readable.from([]),
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

/** A table with one command, `fail`, that throws `error`. */
const failingWith = (error: unknown): CommandTable => ({
  fail: async (): Promise<CliCommand> => ({
    summary: "throws",
    run: async () => {
      throw error;
    },
  }),
});

describe("runCli", () => {
  it("a ConfigError: one `<command>: <problem>` line per problem on stderr, exit 1", async () => {
    const cli = io();
    const error = new ConfigError([
      { file: "policies/budgets.yaml", line: 0, col: 0, path: "", message: "is a directory, not a file" },
      { file: "policies/routing.yaml", line: 3, col: 5, path: "default.route", message: "unknown model 'x'" },
    ]);
    expect(await runCli(["fail", "--flag"], cli, failingWith(error))).toBe(1);
    expect(cli.err()).toBe("fail: policies/budgets.yaml: is a directory, not a file\nfail: policies/routing.yaml:3:5: default.route: unknown model 'x'\n");
    expect(cli.out()).toBe("");
  });

  it("a ConfigError of thousands of problems: the first 50 lines, then how many more", async () => {
    const cli = io();
    const problems = Array.from({ length: 2_000 }, (_, i) => ({ file: "policies/routing.yaml", line: i + 1, col: 1, path: "", message: "bad" }));
    expect(await runCli(["fail"], cli, failingWith(new ConfigError(problems)))).toBe(1);
    const lines = cli.err().trimEnd().split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[49]).toBe("fail: policies/routing.yaml:50:1: bad");
    expect(lines[50]).toBe("fail: ... and 1950 more problems");
  });

  it("a UsageError still exits 2 with `<command>: <message>`", async () => {
    const cli = io();
    expect(await runCli(["fail"], cli, failingWith(new UsageError("needs --request")))).toBe(2);
    expect(cli.err()).toBe("fail: needs --request\n");
  });

  it("any other error is not swallowed: it propagates to main.ts's handler", async () => {
    const bug = new TypeError("a bug");
    await expect(runCli(["fail"], io(), failingWith(bug))).rejects.toBe(bug);
  });

  it("a command's own exit code passes through", async () => {
    const table: CommandTable = { ok: async () => ({ summary: "ok", run: async () => 3 }) };
    expect(await runCli(["ok"], io(), table)).toBe(3);
  });
});
