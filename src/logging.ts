import { writeSync } from "node:fs";
import pino, { type Logger } from "pino";

/** How long a log line may wait in the write buffer. */
const FLUSH_INTERVAL_MS = 250;

/**
 * JSON logs on stdout. Prompt bodies and keys are never logged (nothing here serialises them);
 * `authorization` is redacted in case a header object is ever logged.
 *
 * Lines are written asynchronously in batches (one write per 4 KiB, and at least every 250 ms)
 * instead of one write per request; `flush` before exiting.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: "switchyard" }, redact: { paths: ["req.headers.authorization", "headers.authorization"], censor: "[redacted]" } };
  if (destination) return pino(options, destination);
  const stdout = pino.destination({ fd: 1, sync: false, minLength: 4096 });
  stdout.on("error", (error: NodeJS.ErrnoException) => stopLogging(stdout, error));
  setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS).unref();
  return pino(options, stdout);
}

/**
 * Drops every later log line once stdout refuses one: a full disk (ENOSPC), a quota, an I/O error, a
 * log reader that exited (EPIPE, which pino already drops the same way, silently). Logs must not take
 * the gateway down. Left alone, any but EPIPE is an uncaught exception, and sonic-boom's flush at exit
 * retries the write forever: the process hung with its port closed, deaf to SIGTERM. One line on
 * stderr says so; a restart starts logging again.
 */
function stopLogging(stdout: ReturnType<typeof pino.destination>, error: NodeJS.ErrnoException): void {
  if (stdout.write === dropLine) return;
  stdout.write = dropLine;
  stdout.flushSync = () => {};
  stdout.flush = (done?: (error?: Error) => void) => done?.();
  try {
    writeSync(2, `switchyard: cannot write logs to stdout (${error.code ?? error.message}); logs are dropped until a restart, requests are still served\n`);
  } catch {
    // stderr refuses too: there is nowhere left to say it.
  }
}

function dropLine(): boolean {
  return true;
}
