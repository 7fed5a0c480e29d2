/**
 * Policy files are UTF-8. PowerShell's `>` and `Out-File` (Windows PowerShell 5) write UTF-16, which
 * read as UTF-8 is two replacement characters then every other character NUL: the yaml library took
 * it for one string, and ops saw "expected object, received string".
 */
export const UTF16_MESSAGE = "the file is UTF-16 (PowerShell's default encoding); save it as UTF-8";

/**
 * Whether `text`, decoded as UTF-8, was UTF-16: a byte-order mark (read as two U+FFFD) or a NUL among
 * the first two characters, which UTF-16 gives for any ASCII text.
 *
 * @example
 * looksUtf16(Buffer.from("\ufeffversion: 1", "utf16le").toString("utf8")); // true
 */
export function looksUtf16(text: string): boolean {
  const start = text.startsWith("\ufffd\ufffd") ? 2 : 0;
  return text.slice(start, start + 2).includes("\0");
}
