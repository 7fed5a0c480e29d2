/**
 * Entry point for `npm start` (`serve`) and `npm run cli -- <command>`.
 */
import { commands } from "./cli/commands.js";
import { processIO } from "./cli/command.js";
import { runCli } from "./cli/run.js";

runCli(process.argv.slice(2), processIO(), commands).then(
  (code) => {
    // `serve` keeps running; every other command exits with its code once output is flushed.
    if (code !== -1) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
