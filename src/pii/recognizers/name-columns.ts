/**
 * Names in a column of a pasted table (CSV, TSV, `;`-separated, Markdown) whose header names a person's
 * field: "first_name,last_name,email\nMaria,Gonzalez,…". A cell alone says nothing a name rule can use
 * ("Gonzalez", "Kowalska" with no first name before them); under "last_name" it is a surname, as
 * `last_name: Kowalska` is in running text. Such exports went out with every surname and every name
 * the lexicon does not know.
 */
import type { Deadline } from "../budget.js";
import type { Entity } from "../entity.js";
import { AMBIGUOUS_PERSON_NAME_KEY, PERSON_NAME_KEY, startsKeyWord } from "../person-name-keys.js";
import { isFieldLabel, isNameValue, placeholderOnly } from "./name-values.js";
import { CHECK_EVERY, type Recognizer } from "./recognizer.js";

const ANY_PERSON_KEY = new RegExp(PERSON_NAME_KEY, "iu");
/** A header cell ending in a person's field, also after a prefix ("Customer Last Name", "billing_last_name", "patientLastName"). */
const PERSON_KEY_CELL_END = new RegExp(`(?:${PERSON_NAME_KEY})$`, "iu");
/** "nom", "nombre", "nome": a person's column only beside one above ("nom;prénom;email"; person-name-keys.ts). */
const AMBIGUOUS_KEY_CELL = new RegExp(`^${AMBIGUOUS_PERSON_NAME_KEY}$`, "iu");
const DELIMITERS = [",", "\t", ";", "|"] as const;
type Delimiter = (typeof DELIMITERS)[number];
/** A Markdown table's line under its header: `|---|:--:|`. */
const MARKDOWN_RULE = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/u;
/**
 * A cell holding a name: capitalised words (any case after the first letter: exports write surnames in
 * capitals) joined by spaces, hyphens, apostrophes, full stops of initials, or "Surname, Given" in quotes.
 * At most six words; "n/a", numbers, e-mail addresses and lower-case handles are not names.
 */
const NAME_CELL = /^\p{Lu}[\p{L}'’.-]*(?:,? [\p{L}][\p{L}'’.-]*){0,5}$/u;
/**
 * A line longer than this is no row of a pasted table (a minified file, a hostile one): splitting each
 * such line into cells cost ~0.4 s of CPU a megabyte.
 */
const MAX_ROW_CHARS = 4_096;
/** A name cell's score: as high as a name after "last name:" in text. */
const SCORE = 0.8;

interface Cell {
  start: number;
  end: number;
}

/** `line`'s cells split at `delimiter`, outside double quotes, each trimmed of spaces and its quotes. */
function cellsOf(text: string, lineStart: number, lineEnd: number, delimiter: Delimiter): Cell[] {
  const cells: Cell[] = [];
  let start = lineStart;
  let quoted = false;
  for (let i = lineStart; i <= lineEnd; i++) {
    const char = i < lineEnd ? text[i] : delimiter;
    if (char === '"' && delimiter !== "|") quoted = !quoted;
    else if (char === delimiter && !quoted) {
      cells.push(trimmed(text, start, i));
      start = i + 1;
    }
  }
  return cells;
}

function trimmed(text: string, start: number, end: number): Cell {
  while (start < end && (text[start] === " " || text[start] === "\t")) start++;
  while (end > start && (text[end - 1] === " " || text[end - 1] === "\t" || text[end - 1] === "\r")) end--;
  if (end - start >= 2 && text[start] === '"' && text[end - 1] === '"') return { start: start + 1, end: end - 1 };
  return { start, end };
}

/** The line starts of `text` with each line's end (before its `\n`). */
function* lines(text: string): Generator<{ start: number; end: number }> {
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    yield { start, end };
    start = end + 1;
  }
}

function isPersonKeyCell(cell: string): boolean {
  const key = PERSON_KEY_CELL_END.exec(cell);
  return key !== null && startsKeyWord(cell, key.index);
}

/** The header's delimiter and the columns that hold a person's name, if the line is such a header. */
function personColumns(text: string, line: { start: number; end: number }): { delimiter: Delimiter; columns: number[]; width: number } | undefined {
  const content = text.slice(line.start, line.end);
  if (!ANY_PERSON_KEY.test(content)) return undefined;
  for (const delimiter of DELIMITERS) {
    if (!content.includes(delimiter)) continue;
    const cells = cellsOf(text, line.start, line.end, delimiter).map((cell) => text.slice(cell.start, cell.end));
    const columns = cells.flatMap((cell, index) => (isPersonKeyCell(cell) ? [index] : []));
    if (columns.length === 0) continue;
    const ambiguous = cells.flatMap((cell, index) => (AMBIGUOUS_KEY_CELL.test(cell) ? [index] : []));
    return { delimiter, columns: [...columns, ...ambiguous].sort((a, b) => a - b), width: cells.length };
  }
  return undefined;
}

export function nameColumnsRecognizer(): Recognizer {
  return {
    name: "name-columns",
    scan(text: string, out: Entity[], deadline: Deadline) {
      // Most texts hold no table of names: one search rules them out.
      if (!ANY_PERSON_KEY.test(text)) return;
      let header: ReturnType<typeof personColumns>;
      let previous: { start: number; end: number } | undefined;
      let rows = 0;
      for (const line of lines(text)) {
        if (++rows % CHECK_EVERY === 0) deadline.check();
        if (line.end - line.start > MAX_ROW_CHARS) {
          header = previous = undefined;
          continue;
        }
        if (header) {
          if (MARKDOWN_RULE.test(text.slice(line.start, line.end))) continue;
          const cells = cellsOf(text, line.start, line.end, header.delimiter);
          // The table ends at a line that is not one of its rows (a blank line, prose after it).
          if (cells.length === header.width) {
            for (const column of header.columns) {
              const cell = cells[column]!;
              const value = text.slice(cell.start, cell.end);
              if ((NAME_CELL.test(value) && !placeholderOnly(value) && !isFieldLabel(value)) || isNameValue(value)) out.push({ type: "PERSON", start: cell.start, end: cell.end, score: SCORE });
            }
            previous = line;
            continue;
          }
        }
        header = personColumns(text, line);
        // A row that names a person's field under a row as wide is a schema's row ("first_name,First
        // Name,true" under "field,label,required"), not a header: the labels below it are no names.
        if (header && previous && cellsOf(text, previous.start, previous.end, header.delimiter).length === header.width) header = undefined;
        previous = line;
      }
    },
  };
}
