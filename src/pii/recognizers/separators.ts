/**
 * Digit-group separators as pasted text writes them. Word processors and French typography put a
 * no-break space (U+00A0), a narrow no-break space (U+202F) or a figure space (U+2007) between digit
 * groups, and Unicode hyphens (U+2010, U+2011) where a keyboard types "-". Each is one UTF-16 unit
 * like the ASCII character it stands for, so `toAsciiSeparators` keeps every offset valid.
 *
 * @example
 * new RegExp(`\\d{4}[${SPACES}${HYPHENS}]\\d{4}`); // inside a character class
 * toAsciiSeparators("4111\u00a01111"); // "4111 1111"
 */
export const SPACES = " \\u00A0\\u202F\\u2007";
export const HYPHENS = "\\-\\u2010\\u2011";

const UNICODE_SEPARATOR = /[\u00A0\u202F\u2007\u2010\u2011]/;
const UNICODE_SPACE = /[\u00A0\u202F\u2007]/g;
const UNICODE_HYPHEN = /[\u2010\u2011]/g;

/** The same string with Unicode spaces and hyphens replaced by " " and "-", for checks written for ASCII. */
export function toAsciiSeparators(s: string): string {
  // Nearly every candidate is plain ASCII: one test, no copies.
  if (!UNICODE_SEPARATOR.test(s)) return s;
  return s.replace(UNICODE_SPACE, " ").replace(UNICODE_HYPHEN, "-");
}
