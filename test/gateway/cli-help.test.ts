/**
 * Every command and subcommand answers `--help`/`-h` with its usage on stdout (exit 0), and every
 * bad option with its usage on stderr (exit 2). Before, `pii scan --polcy` crashed with a
 * `TypeError [ERR_PARSE_ARGS_UNKNOWN_OPTION]` stack (exit 1), `classifier --help` answered
 * "unknown subcommand" and `policy explain --help` "Unknown option".
 */
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

const cli = (args: string[], stdin = "") => runCliProcess(args, { stdin });

/** A stack frame line, as Node prints under an uncaught error. */
const STACK_FRAME = /^\s+at /m;

describe("cli --help", { timeout: 60_000 }, () => {
  it.concurrent.each([
    [["classifier", "--help"], "classifier train"],
    [["classifier", "-h"], "classifier train"],
    [["classifier", "train", "--help"], "classifier train"],
    [["classifier", "predict", "-h"], "classifier predict"],
    [["classifier", "eval", "--help"], "classifier eval"],
    [["pii", "--help"], "pii scan"],
    [["pii", "scan", "--help"], "pii scan"],
    [["pii", "scan", "-h"], "pii scan"],
    [["policy", "check", "--help"], "policy check"],
    [["policy", "explain", "--help"], "policy explain"],
    [["policy", "explain", "--request", "x.json", "-h"], "policy explain"],
  ])("%j prints the usage on stdout and exits 0", async (args, expected) => {
    const { code, stdout, stderr } = await cli(args);
    expect(stderr).toBe("");
    expect(stdout).toContain("usage");
    expect(stdout).toContain(expected);
    expect(code).toBe(0);
  });
});

describe("cli pii scan with bad arguments", { timeout: 60_000 }, () => {
  it.concurrent.each([
    [["pii", "scan", "--polcy", "p.yaml"], "'--polcy'"],
    [["pii", "scan", "notes.txt"], "'notes.txt'"],
  ])("%j names the problem and prints the usage on stderr, exit 2, no stack", async (args, named) => {
    const { code, stdout, stderr } = await cli(args, "x\n");
    expect(stdout).toBe("");
    expect(stderr).toContain(named);
    expect(stderr).toContain("usage: pii scan");
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(code).toBe(2);
  });
});
