import pino, { type Logger } from "pino";

/**
 * JSON logs on stdout. Prompt bodies and keys are never logged (nothing here serialises them);
 * `authorization` is redacted in case a header object is ever logged.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: "switchyard" }, redact: { paths: ["req.headers.authorization", "headers.authorization"], censor: "[redacted]" } },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
