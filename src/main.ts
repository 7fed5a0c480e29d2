/**
 * Entry point for `npm start` (`serve`) and `npm run cli -- <command>`.
 */
import { commands } from "./cli/commands.js";
import { processIO } from "./cli/command.js";
import { runCli } from "./cli/run.js";

// A reader that goes away (`… | head -1`, `| true`, a closed pipe) wants no more output: it is dropped
// quietly and the command keeps its own exit code, instead of dying on an unhandled 'error' event with
// a stack trace (`classifier train | head` had trained and written its model, then exited 1). Any
// other failure to write (`> /dev/full`, a full disk) lost output: it is kept here, not thrown from the
// listener (which pre-empted the command's own handling), and ends the run with one line and exit 1.
let outputError: NodeJS.ErrnoException | undefined;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") outputError ??= error;
});

const argv = process.argv.slice(2);
// The command's words, as its own errors name it (`classifier predict`, `policy check`); not its options.
const commandName = argv.slice(0, 2).filter((word, i) => i === 0 || /^[a-z][a-z-]*$/.test(word)).join(" ") || "cli";

function failedOutput(error: NodeJS.ErrnoException): void {
  process.stderr.write(`${commandName}: cannot write the output to stdout (${error.message}); it is incomplete\n`);
  if (!process.exitCode) process.exitCode = 1;
}

runCli(argv, processIO(), commands).then(
  (code) => {
    // `serve` keeps running; every other command exits with its code once output is flushed.
    if (code === -1) return;
    process.exitCode = code;
    // A failed write's 'error' is emitted on a later tick: a command that wrote its last line and
    // returned 0 (predict on one line) must not exit 0 with that line lost.
    setImmediate(() => {
      if (outputError) failedOutput(outputError);
    });
  },
  (error: unknown) => {
    // The command's own handling (predict releases its model) re-threw the write's error.
    if (outputError && error === outputError) return failedOutput(outputError);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
