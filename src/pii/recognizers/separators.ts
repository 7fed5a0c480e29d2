/**
 * Digit-group separators as pasted text writes them. Word processors and French typography put a
 * no-break space (U+00A0), a narrow no-break space (U+202F) or a figure space (U+2007) between digit
 * groups; where a keyboard types "-", text may hold Unicode hyphens (U+2010, U+2011), the figure dash
 * (U+2012, Unicode's dash for digit groups), the en dash (U+2013, which word processors make of " - ")
 * or the minus sign (U+2212). Each is one UTF-16 unit like the ASCII character it stands for, so
 * `toAsciiSeparators` keeps every offset valid.
 *
 * @example
 * new RegExp(`\\d{4}[${SPACES}${HYPHENS}]\\d{4}`); // inside a character class
 * toAsciiSeparators("4111\u20131111"); // "4111-1111"
 */
export const SPACES = " \\u00A0\\u202F\\u2007";
export const HYPHENS = "\\-\\u2010\\u2011\\u2012\\u2013\\u2212";

/**
 * One separator between digit groups as cards and SSNs are written, beyond one space or dash: a run of
 * up to three spaces or tabs (PDF copy-paste doubles spaces), a dash with a space on each side
 * (`536 - 22 - 4187`), or one line break with spaces around it (a number wrapped at the end of a line,
 * maybe after its dash). Longer runs are how tables align their columns. For a regex, as alternatives
 * before the one-character separators.
 */
export const WIDE_SEPARATOR = `[ \\t]{2,3}|\\t|[${SPACES}][${HYPHENS}][${SPACES}]|[${HYPHENS}]?[ \\t]{0,3}\\r?\\n[ \\t]{0,3}`;

const UNICODE_SEPARATOR = /[\u00A0\u202F\u2007\u2010-\u2013\u2212]/;
const UNICODE_SPACE = /[\u00A0\u202F\u2007]/g;
const UNICODE_HYPHEN = /[\u2010-\u2013\u2212]/g;
// The en dash and the minus sign also join a range or a difference of two numbers ("2019–2023",
// "10–12 people", "5 − 3"), and so does a spaced dash ("2019 - 2023").
const RANGE_DASH = new RegExp(`[\\u2013\\u2212]|[${SPACES}][${HYPHENS}][${SPACES}]`);

/** The same string with Unicode spaces and dashes replaced by " " and "-", for checks written for ASCII. */
export function toAsciiSeparators(s: string): string {
  // Nearly every candidate is plain ASCII: one test, no copies.
  if (!UNICODE_SEPARATOR.test(s)) return s;
  return s.replace(UNICODE_SPACE, " ").replace(UNICODE_HYPHEN, "-");
}

/**
 * The separators between the digit groups of `number` (a run of digits and separators, starting and
 * ending with a digit), in ASCII: `"4111–1111 1111"` → `["-", " "]`.
 */
export function separatorsOf(number: string): string[] {
  return toAsciiSeparators(number).split(/\d+/).slice(1, -1);
}

/**
 * Whether `number`'s separators may be a range's dash rather than a number's: an en dash, minus sign or
 * spaced dash between only two groups ("2019–2023", "pages 12 - 18"). Three groups or more
 * ("415–555–0132", "536 - 22 - 4187") are a number.
 */
export function joinsARange(number: string, separatorCount: number): boolean {
  return separatorCount < 2 && RANGE_DASH.test(number);
}

/**
 * The one separator a number's groups are split by (`""` when there is none), or null when they mix
 * separators. One line break may stand for any of them, where a number wraps onto the next line
 * (`4111 1111\n1111 1111`), but not for all: groups split by line breaks alone are a column of numbers.
 */
export function consistentSeparator(separators: readonly string[]): string | null {
  let separator: string | undefined;
  let lineBreaks = 0;
  for (const s of separators) {
    if (s.includes("\n")) {
      lineBreaks++;
      continue;
    }
    if (separator === undefined) separator = s;
    else if (s !== separator) return null;
  }
  if (lineBreaks === 0) return separator ?? "";
  return lineBreaks === 1 && separator !== undefined ? separator : null;
}

/** Whether any of `separators` is wider than one space, dash or dot: a run, a tab, a spaced dash or a line break. */
export const isWide = (separators: readonly string[]) => separators.some((s) => s.length > 1 || s === "\t" || s === "\n");
