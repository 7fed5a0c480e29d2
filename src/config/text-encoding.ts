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

/**
 * What a policy file holds that is not UTF-8: a file saved as Latin-1 or cp1252 (`café`, `müller`)
 * decoded leniently turned each such letter into U+FFFD, so a budgets.yaml tenant `müller-gmbh` became
 * `m\uFFFDller-gmbh`, a budget no key's tenant matched, and the file loaded without a word.
 */
export const NOT_UTF8_MESSAGE = "not UTF-8 text (saved as Latin-1 or cp1252?): this byte starts or continues no UTF-8 character; save the file as UTF-8";

/**
 * `bytes` as text, or the source offset (in the text decoded leniently: one U+FFFD per bad sequence)
 * of the first byte that is not UTF-8. UTF-16 decodes leniently, for `looksUtf16` to name it.
 *
 * @example
 * decodeStrictUtf8(Buffer.from("a: caf\xe9", "latin1")); // { text: "a: caf\uFFFD", badOffset: 6 }
 */
export function decodeStrictUtf8(bytes: Uint8Array): { text: string; badOffset?: number } {
  try {
    return { text: strictUtf8(bytes) };
  } catch {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    if (looksUtf16(text)) return { text };
    const bad = firstNonUtf8Byte(bytes);
    // The valid prefix decodes to the same characters strictly and leniently.
    return { text, badOffset: bad < 0 ? 0 : Buffer.from(bytes.buffer, bytes.byteOffset, bad).toString("utf8").length };
  }
}

/**
 * The 1-based line and column of `offset` in `text`, where `decodeStrictUtf8`'s `badOffset` is reported.
 *
 * @example positionAt("a\nbc", 3); // { line: 2, col: 2 }
 */
export function positionAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

/** `bytes` as UTF-8 text, a BOM kept for the caller; throws on any byte that is not UTF-8. */
export function strictUtf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** The index of the first byte of `bytes` that is not part of a well-formed UTF-8 sequence, or -1. */
function firstNonUtf8Byte(bytes: Uint8Array): number {
  const continuation = (i: number, low = 0x80, high = 0xbf) => i < bytes.length && bytes[i]! >= low && bytes[i]! <= high;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let length: number;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = continuation(i + 1) ? 2 : 0;
    // Second-byte ranges exclude overlong forms and surrogates (RFC 3629, section 4).
    else if (b >= 0xe0 && b <= 0xef) length = continuation(i + 1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf) && continuation(i + 2) ? 3 : 0;
    else if (b >= 0xf0 && b <= 0xf4) length = continuation(i + 1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    else length = 0;
    if (length === 0) return i;
    i += length;
  }
  return -1;
}
