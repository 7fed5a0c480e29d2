/**
 * Typed errors of the classifier package. The CLI prints their messages without a stack trace; the
 * gateway maps them to its own errors at the boundary.
 */

/** Training or evaluation data that cannot be used; `line` is 1-based when the problem has one. */
export class ClassifierDataError extends Error {
  override name = "ClassifierDataError";
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file ? `${file}${line ? `:${line}` : ""}: ${message}` : message);
  }
}

/** A model folder that is missing files, has an invalid metadata file, or cannot be loaded. */
export class ClassifierModelError extends Error {
  override name = "ClassifierModelError";
  constructor(
    message: string,
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(`${dir}: ${message}`, options);
  }
}
