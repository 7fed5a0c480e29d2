/**
 * What the grammar writes for `format` `date` and `date-time`. node-llama-cpp's own rules allow any
 * day 01–31 in any month (`2023-02-31`) and numeric offsets; these write real calendar dates (29
 * February in leap years only) and UTC times, which RFC 3339 accepts and so do the patterns zod emits
 * beside those formats — so a zod schema's `pattern` there can be taken as enforced.
 */

/** Zod v4's leap-year and month-length rules, word for word in GBNF. */
const DATE = [
  `( [0-9] [0-9] ( [2468] [048] | [13579] [26] | "0" [48] ) | ( [02468] [048] | [13579] [26] ) "00" ) "-02-29"`,
  `[0-9]{4} "-" ( ( "0" [13578] | "1" [02] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] ) | ( "0" [469] | "11" ) "-" ( "0" [1-9] | [12] [0-9] | "30" ) | "02-" ( "0" [1-9] | "1" [0-9] | "2" [0-8] ) )`,
].join(" | ");
const TIME_UTC = `( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? "Z"`;
const QUOTE = `"\\""`;

const RULES = {
  date: `( ${DATE} )`,
  "date-time": `( ${DATE} ) "T" ${TIME_UTC}`,
} as const;

export type CalendarFormat = keyof typeof RULES;

/**
 * The `pattern`s zod v4 writes beside `format` (`z.iso.date()`, `z.iso.datetime()` with or without
 * `offset: true`): every string the rules above write matches them. Any other pattern is refused.
 */
const DATE_PATTERN =
  "(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))";
const TIME_PATTERN = "(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?";
export const ENFORCED_PATTERNS: Record<CalendarFormat, ReadonlySet<string>> = {
  date: new Set([`^${DATE_PATTERN}$`]),
  "date-time": new Set([`^${DATE_PATTERN}T(?:${TIME_PATTERN}(?:Z))$`, `^${DATE_PATTERN}T(?:${TIME_PATTERN}(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$`]),
};

export function isCalendarFormat(format: unknown): format is CalendarFormat {
  return format === "date" || format === "date-time";
}

/**
 * A JSON-schema grammar's GBNF with node-llama-cpp's date and date-time rules replaced by these.
 *
 * @example llama.createGrammar({ grammar: withCalendarRules(jsonGrammar.grammar) });
 */
export function withCalendarRules(gbnf: string): string {
  return gbnf.replace(/^string-format-(date|date-time)-rule ::= .*$/gm, (_line, format: CalendarFormat) => `string-format-${format}-rule ::= ${QUOTE} ${RULES[format]} ${QUOTE}`);
}
