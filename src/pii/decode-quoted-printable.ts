/**
 * Quoted-printable (RFC 2045), as mail clients write a message body and people paste it into a prompt:
 * `=XX` for a byte (`Jos=C3=A9 Garc=C3=ADa`, `=3D` for `=`, `=40` for `@`, rarely) and `=` at a line's
 * end for a soft line break, which splits whatever crosses the 76th column (`ann.lee@exam=\nple.com`).
 * The decoded reading (decode.ts) reads them where the text is quoted-printable; elsewhere `=` is code
 * (`a=b`, `x=10`), base64 padding (`YQ==`) or an assignment ending a line (`total =`), and stays.
 */
import { CR, EQUALS } from "./char-codes.js";

/** The header that says so. */
const DECLARED = /Content-Transfer-Encoding:[ \t]*"?quoted-printable/i;
/**
 * What only quoted-printable writes: a soft line break (`=` glued to the end of a line) and a UTF-8
 * character of two or more bytes (`=C3=A9`).
 */
const EVIDENCE = /(?<=[^\s=])=\r?\n|=[C-F][0-9A-F]=[89AB][0-9A-F]/g;
const BASE64_LINE = /^[A-Za-z0-9+/]*$/;
/** Quoted-printable lines are at most 76 characters, the `=` of a soft break included. */
const MAX_LINE = 76;
/** Marks of quoted-printable that make an undeclared text quoted-printable. */
const UNMISTAKABLE = 2;

/**
 * Where the `=XX` escapes and soft line breaks of `text` are quoted-printable: from its
 * `Content-Transfer-Encoding: quoted-printable` header on, or the whole text when it holds two or more
 * marks only quoted-printable makes (soft breaks ending lines of at most 76 characters that are not all
 * base64, and `=XX` pairs that spell a UTF-8 character); `Infinity` when nowhere. A UTF-8 character
 * spelt `=C3=A9` is read as one anywhere (decode.ts, `Layer.qpCharacters`).
 *
 * @example quotedPrintableFrom("Content-Transfer-Encoding: quoted-printable\n\nHi =\nthere") // 0
 */
export function quotedPrintableFrom(text: string): number {
  if (!text.includes("=")) return Infinity;
  const declared = text.includes("rintable") || text.includes("RINTABLE") ? DECLARED.exec(text) : null;
  if (declared) return declared.index;
  let marks = 0;
  EVIDENCE.lastIndex = 0;
  for (let match = EVIDENCE.exec(text); match !== null; match = EVIDENCE.exec(text)) {
    if (match[0].length > 3 || isWrappedLine(text, match.index)) marks++;
    if (marks >= UNMISTAKABLE) return 0;
  }
  return Infinity;
}

/**
 * Whether the line ending in a soft break at `at` is one quoted-printable wraps: at most 76 characters,
 * and not all base64 (whose last line may end in one `=` of padding).
 */
function isWrappedLine(text: string, at: number): boolean {
  const start = text.lastIndexOf("\n", at - 1) + 1;
  if (at - start >= MAX_LINE) return false;
  const line = text.slice(start, at);
  return !BASE64_LINE.test(line) && !EMPTY_ASSIGNMENT.test(line);
}

/**
 * A line that is a key and its `=` alone: a `.env` or shell variable left empty (`MAIL_FROM=`), whose next
 * line is another value. Joined, `MAIL_FROM=\nnoreply@example.com` became one address with the key glued
 * on, and the key came back so in the answer.
 */
const EMPTY_ASSIGNMENT = /^\s*(?:export\s+)?(?:[A-Z][A-Z0-9_]*|[A-Za-z0-9]*_[A-Za-z0-9_]*)$/;

/**
 * A soft line break glued to value characters on both sides (`ann.lee@exam=\nple.com`, `Maria Gon=\nzalez`)
 * ending a line quoted-printable wraps: where `quotedPrintableFrom` finds the text no quoted-printable
 * (a fragment of a mail pasted with one wrapped line, no header and no UTF-8 escape), it is still read
 * as a join, and only it: the text's `=XX` stay as written (`x=10`). Else the address or name it splits went to
 * the cloud in two halves no recognizer reads. Code that ends a line with `=` indents what follows or
 * opens a quote or bracket (`total =\n  price`, `url=\n"…"`), which is no value character. The offset of
 * its `=`, or -1.
 *
 * @example loneSoftBreak("Contact: ann.lee@exam=\nple.com") // 21
 */
export function loneSoftBreak(text: string): number {
  if (!text.includes("=\n") && !text.includes("=\r\n")) return -1;
  // Walked line by line: a regex for it starts with a lookbehind, which V8 tries at every unit.
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", newline + 1)) {
    const at = text.charCodeAt(newline - 1) === CR ? newline - 2 : newline - 1;
    if (text.charCodeAt(at) !== EQUALS || !isValueCharacter(text, at - 1) || !isValueCharacter(text, newline + 1)) continue;
    if (isWrappedLine(text, at)) return at;
  }
  return -1;
}

/** Whether `text[at]` is a character of a value a soft break may split: a letter, digit, `. _ @ -`. */
function isValueCharacter(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x40 || c === 0x2d;
  return LETTER_OR_DIGIT.test(text[at]!);
}
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
