/**
 * `npm run cli -- serve` takes no options (it is configured by environment variables): an option an
 * operator believes works (`--port 9000`) must be refused, not ignored while the gateway binds 8080.
 */
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../support/cli-process.js";

// An invalid PORT makes a serve that ignored its arguments exit at once instead of listening.
const cli = (args: string[], env: Record<string, string> = {}) => runCliProcess(args, { env: { PORT: "not-a-port", ...env } });

describe("cli serve arguments", { timeout: 60_000 }, () => {
  it("refuses an unknown option with exit 2, naming it", async () => {
    const { code, stderr } = await cli(["serve", "--port", "9000"]);
    expect(stderr).toContain("serve: unknown option '--port'");
    expect(code).toBe(2);
  });

  it("prints its usage for --help and exits 0 without starting", async () => {
    const { code, stdout, stderr } = await cli(["serve", "--help"]);
    expect(stdout).toContain("usage: npm run cli -- serve");
    expect(stdout).toContain("PORT");
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("without a command prints the command list on stderr and exits 2; `help` prints it on stdout and exits 0", async () => {
    const missing = await cli([]);
    expect(missing.stderr).toContain("commands:");
    expect(missing.stdout).toBe("");
    expect(missing.code).toBe(2);
    const asked = await cli(["help"]);
    expect(asked.stdout).toContain("commands:");
    expect(asked.code).toBe(0);
  });

  it("an unknown command exits 2 on stderr", async () => {
    const { code, stderr } = await cli(["bogus"]);
    expect(stderr).toContain("unknown command 'bogus'");
    expect(code).toBe(2);
  });
});
