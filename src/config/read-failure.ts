/**
 * Why a configuration file could not be read, in the words an operator acts on. Node's own messages
 * ("EISDIR: illegal operation on a directory, read") name the syscall, not the fix, and a raw I/O
 * error reaching the CLI is printed as a stack trace.
 */
import type { Stats } from "node:fs";

const NOT_REGULAR = "is not a regular file (a FIFO, socket or device); policy files must be regular files";

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "file not found",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a component of the path is not a directory",
  ELOOP: "too many levels of symbolic links (a symlink loop?)",
  ENAMETOOLONG: "the path is too long",
  // What open() answers for a Unix socket, before there is a handle to look at.
  ENXIO: NOT_REGULAR,
};

/**
 * The reason for a failed read of a file, or `undefined` when `error` is not an I/O error (a bug, which
 * the caller rethrows as is rather than dressing it up as a configuration problem).
 *
 * @example
 * readFailure(await readFile("policies").catch((e) => e)) // "is a directory, not a file"
 */
export function readFailure(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Node's own argument errors (ERR_INVALID_ARG_VALUE for a path holding a NUL byte…) are not I/O.
  if (typeof code !== "string" || code.startsWith("ERR_")) return undefined;
  // Callers say "cannot read" themselves; the reason is only what went wrong.
  return REASONS[code] ?? `I/O error ${code}`;
}

/**
 * Why an opened path is no file to read, or `undefined` for a regular file. Opening a directory
 * read-only succeeds on Linux, so it is told apart here, with the words `readFailure` uses for it.
 *
 * @example
 * notRegularFile(await handle.stat()) // "is not a regular file (a FIFO, socket or device); …" for /dev/zero
 */
export function notRegularFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return REASONS.EISDIR;
  return NOT_REGULAR;
}

export const isNotFound = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
