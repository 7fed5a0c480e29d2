/**
 * Entry point for `npm start` (`serve`) and `npm run cli -- <command>`.
 */
import { commands } from "./cli/commands.js";
import { UsageError, processIO } from "./cli/command.js";

async function main(argv: string[]): Promise<number> {
  const io = processIO();
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
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // `serve` keeps running; every other command exits with its code once output is flushed.
    if (code !== -1) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
