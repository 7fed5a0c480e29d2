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
  setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS).unref();
  return pino(options, stdout);
}
