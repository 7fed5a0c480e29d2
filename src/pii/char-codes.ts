/** UTF-16 code units the PII decoders and restore compare `charCodeAt` with, and reading hex digits: one definition for all. */
export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const HASH = 0x23;
export const PERCENT = 0x25;
export const AMPERSAND = 0x26;
export const PLUS = 0x2b;
export const SLASH = 0x2f;
export const SEMICOLON = 0x3b;
export const EQUALS = 0x3d;
export const QUESTION = 0x3f;
export const BACKSLASH = 0x5c;

/** The value of a hex digit's char code, or -1 (NaN, past the text's end, included). */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * Whether a code unit is one `\s` matches (ECMAScript's WhiteSpace and LineTerminator): the same test
 * without entering the regex engine, which per character cost the name readers most of their time on
 * key-dense texts.
 */
export function isWhiteSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f ||
    c === 0x3000 || c === 0xfeff
  );
}

/**
 * A test for one code unit against a fixed set of ASCII characters and, with `spaces`, everything `\s`
 * matches: `[\r\n,;:=]` as a lookup instead of a regex per character.
 */
export function codeUnitSet(ascii: string, spaces = false): (c: number) => boolean {
  const table = new Uint8Array(128);
  for (let i = 0; i < ascii.length; i++) table[ascii.charCodeAt(i)] = 1;
  return (c) => (c < 128 ? table[c] === 1 : false) || (spaces && isWhiteSpace(c));
}
