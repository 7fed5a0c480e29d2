import { lineBefore } from "./lines.js";
import type { Recognizer } from "./recognizer.js";
import { forEachMatch, ownRegex } from "./matches.js";

const MONTH =
  "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const DAY = "(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?";
const YEAR = "(?:19|20)\\d{2}";
// One leading \b for all alternatives rather than one each: V8 then tests it once per position (~30%
// faster on prose, same matches).
const DATE = new RegExp(
  `\\b(?:${[
    `${YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])\\b`, // 1985-03-12
    `${YEAR}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\\d|3[01])\\b`, // 1985/03/12, 1985/3/12
    `(?:0?[1-9]|[12]\\d|3[01])[./-](?:0?[1-9]|[12]\\d|3[01])[./-](?:${YEAR}|\\d{2})\\b`, // 12/03/1985, 03.12.85
    `${DAY}(?: of)? ${MONTH},? ${YEAR}\\b`, // 12 March 1985, 12th of March, 1985
    `${MONTH} ${DAY},? ${YEAR}\\b`, // March 12, 1985
  ].join("|")})`,
  "gi",
);
const BIRTH_WORDS = ["born", "birth", "birthday", "birthdate", "date of birth", "dob", "d.o.b", "d.o.b.", "b-day", "geboren", "née"];
const ANY_BIRTH_WORD = /born|birth|dob|d\.o\.b|b-day|geboren|née/i;
// The birth words where they stand, matched as context words are ("date of birth" also as date_of_birth).
const BIRTH_WORD = new RegExp(
  `(?<![a-z0-9])(?:${BIRTH_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "[\\s_-]+")).join("|")})(?![a-z0-9])`,
  "gi",
);
// How far a birth word may stand before or after the date (as for other context words).
const WORD_BEFORE = 48;
const WORD_AFTER = 24;
const IDENTIFIER_CHAR = /[\w$]/;
// `birth_date < '2000-01-01'`, `birthDate BETWEEN …`: a bound in a query, no one's birth date. Any other
// field name before the date (`birth_date: …`, a CSV header, `<birthDate>…`, an INSERT's column list) holds it.
const COMPARED = /^["'`\])]*[ \t]*(?:[<>]=?|between\b)/i;
// "Born-again", "born-free": a compound word, not a birth ("birth-date" stays a label).
const BORN_COMPOUND = /^born-[a-z]/i;
// A year between the word and the date: in "born in 2015 and incorporated on March 12, 2015" the word
// dates the birth with the first year.
const YEAR_BETWEEN = new RegExp(`(?<!\\d)${YEAR}(?!\\d)`, "g");
// "born in 1985, on March 12, 1985": the year said first and then the full date of the same birth.
const SAME_BIRTH_RESTATED = /^[ \t]*,?[ \t]*(?:on[ \t]+)?["']?$/i;
// "born on 2026-11-03", "DOB: …", "geboren am …": the word names the date itself.
const ATTACHED = /^[ \t:("'=-]*(?:(?:on|am|le|is|was)[ \t]+)?["']?$/i;
// "born last month, on …", "born at home on …": a short phrase between the verb and its date.
const BORN_THEN_ON = /^[ \t]+(?:[a-z]+,?[ \t]+){1,3}(?:on|am)[ \t]+["']?$/i;
const BORN_VERB = /^(?:born|geboren)$/i;
const RECENT_MS = 365 * 24 * 60 * 60 * 1000;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

interface Span {
  start: number;
  end: number;
}

/** The end of the code or schema name that holds the word (`users.birth_date`, `birthDate`), or -1. */
function identifierEnd(text: string, word: Span): number {
  const glued =
    /[\w$.]/.test(text[word.start - 1] ?? "") || /^[_.]\w/.test(text.slice(word.end, word.end + 2)) || /[a-z][A-Z]/.test(text.slice(word.start, word.end));
  if (!glued) return -1;
  let at = word.end;
  while (IDENTIFIER_CHAR.test(text[at] ?? "") || (text[at] === "." && IDENTIFIER_CHAR.test(text[at + 1] ?? ""))) at++;
  return at;
}

/** Whether the name holding `word` opens an XML tag (`<birthDate>`), whose ">" is no comparison. */
function opensTag(text: string, word: Span): boolean {
  let at = word.start;
  while (/[\w$.:-]/.test(text[at - 1] ?? "")) at--;
  return text[at - 1] === "<";
}

// Between a birth field's name and a date, signs that the date is some other value: a schema default
// ("birth_date date DEFAULT '1970-01-01'"), an argument to a call ("z.date().max(new Date('2010-01-01'))", but
// not an INSERT's "VALUES("), a self-closing empty tag ("<birthDate/>"), or another field's label or tag
// ("birth_date: null, created_at: …", "<createdAt>").
const OTHER_VALUE_BETWEEN =
  /\bdefault\b|(?<![\w$])(?!values\()[A-Za-z_$][\w$]*\(|\/>|<\/?[A-Za-z]|[A-Za-z_$][\w$]*["']?[ \t]*:(?!\/\/)/i;
const CELL_SEPARATOR = /[,\t;|]/;

/** In a table (header line, then rows), whether `date` sits in another column than the field named at `word`. */
function inAnotherColumn(text: string, word: Span, date: Span): boolean {
  // The line break is looked for between the word and the date only: searched to the text's end, it
  // made a text of one long line (minified JSON) quadratic in its dates.
  const lineBreak = text.slice(word.end, date.start).indexOf("\n");
  if (lineBreak === -1) return false;
  const headerEnd = word.end + lineBreak;
  const headerStart = text.lastIndexOf("\n", word.start - 1) + 1;
  const separator = CELL_SEPARATOR.exec(text.slice(headerStart, headerEnd))?.[0];
  if (!separator) return false;
  const column = (line: string) => line.split(separator).length - 1;
  return column(text.slice(headerStart, word.start)) !== column(lineBefore(text, date.start));
}

/** Whether `date`, after the field name holding `word` (ending at `nameEnd`), is that field's own value. */
function isFieldValue(text: string, word: Span, nameEnd: number, date: Span): boolean {
  const between = text.slice(nameEnd, date.start);
  if (OTHER_VALUE_BETWEEN.test(between) || inAnotherColumn(text, word, date)) return false;
  return opensTag(text, word) || !COMPARED.test(between);
}

/** Whether a year in `between` (word to date) belongs to another event than the birth on `date`. */
function otherYearBetween(between: string, dateYears: readonly number[]): boolean {
  return [...between.matchAll(YEAR_BETWEEN)].some(
    (year) => !dateYears.includes(Number(year[0])) || !SAME_BIRTH_RESTATED.test(between.slice(year.index + year[0].length)),
  );
}

/** Whether the birth word at `word` says when someone was born on `date`. */
function datesTheBirth(text: string, word: Span, date: Span, dateYears: readonly number[], recent: boolean): boolean {
  const before = word.end <= date.start;
  if (BORN_COMPOUND.test(text.slice(word.start, word.end + 2))) return false;
  const nameEnd = identifierEnd(text, word);
  if (nameEnd !== -1) return before && isFieldValue(text, word, nameEnd, date);
  const between = before ? text.slice(word.end, date.start) : text.slice(date.end, word.start);
  if (otherYearBetween(between, dateYears)) return false;
  // A recent date near "birthday" is more often the day a job ran than a newborn's birth; said outright
  // ("born on …", "born last month, on …", "DOB: …") it still counts.
  const bornThenOn = BORN_VERB.test(text.slice(word.start, word.end)) && BORN_THEN_ON.test(between);
  return !recent || (before && (ATTACHED.test(between) || bornThenOn));
}

function birthWordsNear(text: string, date: Span): Span[] {
  const from = Math.max(0, date.start - WORD_BEFORE);
  const spans = (slice: string, offset: number) =>
    [...slice.matchAll(BIRTH_WORD)].map((m) => ({ start: offset + m.index, end: offset + m.index + m[0].length }));
  return [...spans(text.slice(from, date.start), from), ...spans(text.slice(date.end, date.end + WORD_AFTER), date.end)];
}

/** The times `date` may mean (12/03/1985 is read both ways; 85 is 1985, 07 is 2007). */
function possibleTimes(date: string): number[] {
  const numbers = date.match(/\d+/g)?.map(Number) ?? [];
  const fullYear = (n: number) => (n >= 100 ? n : n + (n > new Date().getUTCFullYear() % 100 ? 1900 : 2000));
  const month = MONTHS.indexOf(date.match(/[A-Za-z]{3}/)?.[0]?.toLowerCase() ?? "");
  const [a = 1, b = 1, c = 1] = numbers;
  if (month !== -1) return [Date.UTC(fullYear(b), month, a)];
  if (a >= 1000) return [Date.UTC(a, b - 1, c)];
  return [Date.UTC(fullYear(c), b - 1, a), Date.UTC(fullYear(c), a - 1, b)];
}

/**
 * DATE_TIME, restricted to birth dates: a date is personal data when it says when someone was born,
 * not when a meeting is. Dates without birth context are not reported at all, nor future dates.
 */
export function birthDateRecognizer(): Recognizer {
  const dates = ownRegex(DATE);
  return {
    name: "birth_date",
    scan(text, out, deadline) {
      if (!ANY_BIRTH_WORD.test(text)) return;
      const now = Date.now();
      forEachMatch(dates, text, deadline, (match) => {
        const date = { start: match.index, end: match.index + match[0].length };
        const times = possibleTimes(match[0]);
        if (times.every((t) => t > now)) return;
        const recent = times.every((t) => t > now - RECENT_MS);
        const years = times.map((t) => new Date(t).getUTCFullYear());
        if (birthWordsNear(text, date).some((word) => datesTheBirth(text, word, date, years, recent))) {
          out.push({ type: "DATE_TIME", start: date.start, end: date.end, score: 0.85 });
        }
      });
    },
  };
}
