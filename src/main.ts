/**
 * Entry point for `npm start` (`serve`) and `npm run cli -- <command>`.
 */
import { commands } from "./cli/commands.js";
import { processIO } from "./cli/command.js";
import { runCli } from "./cli/run.js";

// A reader that goes away (`… | head -1`, `| true`, a closed pipe) wants no more output: it is dropped
// quietly and the command keeps its own exit code, instead of dying on an unhandled 'error' event with
// a stack trace (`classifier train | head` had trained and written its model, then exited 1).
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

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
