/**
 * The CLI's dispatch: finds the command, runs it, and turns the typed errors a command may let
 * through into a message and an exit code. Kept apart from `main.ts` (which only wires the process)
 * so it can be driven in-process with any command table.
 */
import { ConfigError, problemLines } from "../config/yaml-file.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";

export type CommandTable = Readonly<Record<string, () => Promise<CliCommand>>>;

/**
 * Runs `argv` (`<command> [args…]`) and returns the exit code (-1: the command keeps running, `serve`).
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIO(), commands);
 */
export async function runCli(argv: readonly string[], io: CliIO, commands: CommandTable): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    // Asked for, the list is the output (stdout); without a command it is a usage error (stderr).
    const out = name ? io.stdout : io.stderr;
    out.write("usage: npm run cli -- <command> [options]\n\ncommands:\n");
    for (const [commandName, load] of Object.entries(commands)) {
      out.write(`  ${commandName.padEnd(12)} ${(await load()).summary}\n`);
    }
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.stderr.write(`unknown command '${name}'; run 'npm run cli -- help' for the list\n`);
    return 2;
  }
  try {
    return await (await load()).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(configErrorLines(name, error));
      return 1;
    }
    throw error;
  }
}

/**
 * One `<command>: file:line:col: path: message` line per problem (the first `MAX_REPORTED_PROBLEMS`,
 * then how many more): each line is complete on its own,
 * so `grep budgets.yaml` over a log of CLI runs finds every problem with the command that met it.
 */
function configErrorLines(name: string, error: ConfigError): string {
  const problems = error.problems.length > 0 ? problemLines(error.problems) : ["invalid configuration"];
  return problems.map((problem) => `${name}: ${problem}\n`).join("");
}
