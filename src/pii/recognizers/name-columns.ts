/**
 * Names in a column of a pasted table (CSV, TSV, `;`-separated, Markdown) whose header names a person's
 * field: "first_name,last_name,email\nMaria,Gonzalez,…". A cell alone says nothing a name rule can use
 * ("Gonzalez", "Kowalska" with no first name before them); under "last_name" it is a surname, as
 * `last_name: Kowalska` is in running text. Such exports went out with every surname and every name
 * the lexicon does not know.
 */
import type { Deadline } from "../budget.js";
import type { Entity } from "../entity.js";
import { NAME_PARTICLES } from "../name-particles.js";
import { AMBIGUOUS_PERSON_NAME_KEY, PERSON_NAME_KEY, startsKeyWord } from "../person-name-keys.js";
import { isFieldLabel, isNameValue, placeholderOnly } from "./name-values.js";
import { CHECK_EVERY, type Recognizer } from "./recognizer.js";
import { DELIMITERS, rowAt, textBeforePipeHeader, trimmedCell, type Delimiter, type Row } from "./table-rows.js";

const ANY_PERSON_KEY = new RegExp(PERSON_NAME_KEY, "iu");
/** A header cell ending in a person's field, also after a prefix ("Customer Last Name", "billing_last_name", "patientLastName"). */
const PERSON_KEY_CELL_END = new RegExp(`(?:${PERSON_NAME_KEY})$`, "iu");
/** "nom", "nombre", "nome": a person's column only beside one above ("nom;prénom;email"; person-name-keys.ts). */
const AMBIGUOUS_KEY_CELL = new RegExp(`^${AMBIGUOUS_PERSON_NAME_KEY}$`, "iu");
/**
 * A Markdown table's line under its header: `|---|:--:|`. Blanks are followed only by what cannot be one
 * (`|`, `:`, `-`, the end): two runs of `\s*` side by side (`\s*\|?\s*`) made a line of blanks that is
 * no rule cost time quadratic in them, ~25 ms a 4 KB line (every line under a header is tried).
 */
const MARKDOWN_RULE = /^\s*(?:\|\s*)?:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*(?:\|\s*)?$/u;
/**
 * A cell holding a name: capitalised words (any case after the first letter: exports write surnames in
 * capitals) joined by spaces, hyphens, apostrophes, full stops of initials, or "Surname, Given" in quotes.
 * At most six words; "n/a", numbers, e-mail addresses and lower-case handles are not names.
 */
const NAME_CELL = /^\p{Lu}[\p{L}'’.-]*(?:,? [\p{L}][\p{L}'’.-]*){0,5}$/u;
const CAPITALISED = /^\p{Lu}/u;
const LOWER_CASE = /\p{Ll}/u;
/**
 * A line longer than this is no row of a pasted table (a minified file, a hostile one): splitting each
 * such line into cells cost ~0.4 s of CPU a megabyte. A row whose quoted cells run over several lines
 * reaches no further either.
 */
const MAX_ROW_CHARS = 4_096;
/** A name cell's score: as high as a name after "last name:" in text. */
const SCORE = 0.8;

interface Line {
  start: number;
  end: number;
}

interface Header {
  delimiter: Delimiter;
  /** The indexes of the cells that hold a person's name. */
  columns: number[];
  width: number;
  /** Whether the rows' leading pipe opens a cell: the header's first is text before its table. */
  pipeOpensCell: boolean;
}

function isPersonKeyCell(cell: string): boolean {
  const key = PERSON_KEY_CELL_END.exec(cell);
  return key !== null && startsKeyWord(cell, key.index);
}

/**
 * The indexes of the cells that pass `test`. A loop, not flatMap: an array a cell cost more than the rest
 * of reading a JSON export whose every line looks like a header (`"apellido": "García",`).
 */
function indexesWhere(cells: string[], test: (cell: string) => boolean): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < cells.length; i++) if (test(cells[i]!)) indexes.push(i);
  return indexes;
}

/** The header's delimiter and the columns that hold a person's name, if the line is such a header. */
function personColumns(text: string, line: Line): Header | undefined {
  const content = text.slice(line.start, line.end);
  if (!ANY_PERSON_KEY.test(content)) return undefined;
  for (const delimiter of DELIMITERS) {
    if (!content.includes(delimiter)) continue;
    const cells = rowAt(text, line.start, line.end, delimiter).cells.map((cell) => text.slice(cell.start, cell.end));
    const columns = indexesWhere(cells, isPersonKeyCell);
    if (columns.length === 0) continue;
    const ambiguous = indexesWhere(cells, (cell) => AMBIGUOUS_KEY_CELL.test(cell));
    return {
      delimiter,
      columns: [...columns, ...ambiguous].sort((a, b) => a - b),
      width: cells.length,
      pipeOpensCell: delimiter === "|" && textBeforePipeHeader(text, line.start, line.end),
    };
  }
  return undefined;
}

/** Whether `[start, end)` ends as a sentence does: a lower-case word and `.`, `!`, `?` or `:` ("…which are duplicates.", "please dedupe:"). */
function endsLikeSentence(text: string, start: number, end: number): boolean {
  const trimmed = trimmedCell(text, start, end);
  return trimmed.end - trimmed.start >= 2 && ".!?:".includes(text[trimmed.end - 1]!) && LOWER_CASE.test(text[trimmed.end - 2]!);
}

/** Whether a cell holds four words or more, as prose does and a table's header seldom. */
function hasLongCell(text: string, row: Row): boolean {
  return row.cells.some((cell) => {
    let words = 1;
    for (let i = cell.start; i < cell.end && words < 4; i++) if (text[i] === " " && text[i + 1] !== " ") words++;
    return words >= 4;
  });
}

/**
 * Whether the line above a header-like line is a row of the same table, which makes that line a
 * schema's row ("first_name,First Name,true" under "field,label,required"), not a header: the labels
 * below it are no names. Prose with as many commas ("Hello team, please dedupe:") is no such row.
 */
function isRowAbove(text: string, above: Line, header: Header): boolean {
  const row = rowAt(text, above.start, above.end, header.delimiter);
  return row.cells.length === header.width && !endsLikeSentence(text, above.start, above.end) && !hasLongCell(text, row);
}

/**
 * A greeting or sign-off opening a line of prose right under a table ("Thanks, Zofia", "Regards,
 * Sales Team") splits at its comma like a row, and may be as wide as one.
 */
const PROSE_OPENERS = new Set(["thanks", "thank", "thx", "regards", "cheers", "hello", "hi", "hey", "dear", "please", "note", "ps", "sincerely"]);

function opensProse(text: string, row: Row): boolean {
  const first = row.cells[0]!;
  let end = first.start;
  while (end < first.end && text[end] !== " ") end++;
  return end - first.start <= 9 && PROSE_OPENERS.has(text.slice(first.start, end).toLowerCase());
}

/**
 * Whether `row` goes on with the table under `header`. A row as wide as the header does, greeting or
 * not: "Dear,Maria,Kowalska" under "salutation,first_name,last_name" is data. So does a ragged one, as
 * exports and hand edits write them (an empty last cell dropped, a trailing comma, a Markdown row
 * without its last pipe), unless it is no row at all: a blank line, a line without the delimiter, a
 * sentence after the table ("Please dedupe these, and flag the rest.") or a greeting or sign-off.
 */
function continuesTable(text: string, row: Row, header: Header, start: number): boolean {
  if (row.cells.length === header.width) return true;
  return row.cells.length >= 2 && !opensProse(text, row) && !endsLikeSentence(text, start, row.end);
}

/**
 * Whether a row as wide as the table opens with a greeting or sign-off in its first name column: "Thanks,
 * Sales Team" under "first_name,last_name" is a sign-off, not names, and the table goes on, so the rows
 * after it keep their columns. A sign-off is a table's last line and prose has no pipes: such a row with
 * rows of the table after it, or in a pipe table, is data ("Hi there,Zawadzki,y"), and its other name
 * cells are names.
 */
function greetingInNameColumn(text: string, row: Row, header: Header): boolean {
  return header.columns[0] === 0 && opensProse(text, row);
}

/**
 * The words of test fixtures', sample rows' and redacted exports' placeholders ("Admin", "Test User",
 * "TBD", "N.N.", "Redacted"). A fixed list, not the lexicon's common words: Will, Rose, Hope, Young,
 * Baker, Hill and Stone are common words there and real names here; words that are surnames too
 * (Blank, Mock, Doe) are not in it.
 */
const TABLE_PLACEHOLDER_WORDS = new Set([
  "test", "tester", "testuser", "sample", "demo", "example", "admin", "administrator", "user", "account", "dummy",
  "placeholder", "default", "unknown", "none", "null", "undefined", "anonymous", "anon", "system", "root", "guest",
  "foo", "bar", "baz", "qux", "quux", "lorem", "ipsum", "first", "last", "name", "firstname", "lastname", "surname",
  "fullname", "tbd", "tba", "tbc", "todo", "nn", "na", "xxx", "nobody", "noname", "unnamed", "redacted", "deleted",
  "removed", "hidden", "masked", "anonymized", "anonymised", "pending", "missing", "unassigned", "unspecified",
  "customer", "client", "patient", "employee", "member", "contact", "staff", "support", "service", "bot",
  "mr", "mrs", "ms", "dr",
]);

/** Whether a name-shaped cell is placeholders only, by this list or name-values.ts' (types, rules, sort orders). */
function placeholderCell(cell: string): boolean {
  // Full stops dropped: "N.N." is German's "nomen nescio", NN.
  const words = cell.toLowerCase().replaceAll(".", "").split(/[ ,]+/u).filter(Boolean);
  return words.every((word) => TABLE_PLACEHOLDER_WORDS.has(word)) || placeholderOnly(cell);
}

/**
 * A ragged row is less surely a row: its name cell must read as one, each word capitalised or a
 * particle ("Maria de la Cruz"), four at most ("Thanks for the list" is not one).
 */
function namelike(value: string): boolean {
  const words = value.split(/,? /u);
  return words.length <= 4 && words.every((word) => CAPITALISED.test(word) || NAME_PARTICLES.has(word));
}

/**
 * The row's name cells. Placeholders are left as written only when the row holds nothing else
 * ("Test,User", "TBD,TBD"): beside a real given name, "Guest", "Root" or "Service" is a surname.
 */
function pushNames(text: string, row: Row, header: Header, out: Entity[], greetingColumn?: number): void {
  const ragged = row.cells.length !== header.width;
  const names: Entity[] = [];
  let placeholdersOnly = true;
  for (const column of header.columns) {
    const cell = column === greetingColumn ? undefined : row.cells[column];
    if (!cell) continue;
    const value = text.slice(cell.start, cell.end);
    const nameShaped = (NAME_CELL.test(value) && !isFieldLabel(value)) || isNameValue(value);
    if (!nameShaped || (ragged && !namelike(value))) continue;
    placeholdersOnly &&= placeholderCell(value);
    names.push({ type: "PERSON", start: cell.start, end: cell.end, score: SCORE });
  }
  if (!placeholdersOnly) out.push(...names);
}

/**
 * Where a line starts after the `>` marks of a mail reply or Markdown quote ("> first_name,last_name",
 * "> > Wojcik,Ignacy"), which would otherwise stick to the first cell. Spaces and tabs before no mark
 * stay: a TSV row's leading tab is its empty first cell.
 */
function afterQuoteMarks(text: string, start: number, end: number): number {
  let i = start;
  for (;;) {
    while (i < end && (text[i] === " " || text[i] === "\t")) i++;
    if (i >= end || text[i] !== ">") return start;
    start = i = i + 1;
  }
}

/** The start of the line after `position`'s (a row ends at its `\n`, or inside a line where it reached its limit). */
function nextLineAfter(text: string, position: number): number {
  if (position >= text.length) return text.length + 1;
  const newline = text.indexOf("\n", position);
  return newline === -1 ? text.length + 1 : newline + 1;
}

export function nameColumnsRecognizer(): Recognizer {
  return {
    name: "name-columns",
    scan(text: string, out: Entity[], deadline: Deadline) {
      // Most texts hold no table of names: one search rules them out.
      if (!ANY_PERSON_KEY.test(text)) return;
      let header: Header | undefined;
      /** A greeting row of the table being read, data if another row follows it (greetingInNameColumn). */
      let greetingRow: Row | undefined;
      let above: Line | undefined;
      let lines = 0;
      for (let start = 0; start <= text.length; ) {
        if (++lines % CHECK_EVERY === 0) deadline.check();
        const newline = text.indexOf("\n", start);
        const end = newline === -1 ? text.length : newline;
        const line = { start: afterQuoteMarks(text, start, end), end };
        if (line.end - line.start > MAX_ROW_CHARS) {
          header = above = undefined;
          start = line.end + 1;
          continue;
        }
        if (header) {
          if (MARKDOWN_RULE.test(text.slice(line.start, line.end))) {
            start = line.end + 1;
            continue;
          }
          const reach = Math.min(text.length, line.start + MAX_ROW_CHARS);
          const row = rowAt(text, line.start, line.end, header.delimiter, { reach, pipeOpensCell: header.pipeOpensCell });
          if (continuesTable(text, row, header, line.start)) {
            // A greeting row followed by this one was data: its surname is masked, its greeting word left.
            if (greetingRow) pushNames(text, greetingRow, header, out, 0);
            greetingRow = undefined;
            if (!greetingInNameColumn(text, row, header)) pushNames(text, row, header, out);
            else if (header.delimiter === "|") pushNames(text, row, header, out, 0);
            else greetingRow = row;
            above = { start: line.start, end: Math.min(row.end, text.length) };
            start = nextLineAfter(text, row.end);
            continue;
          }
        }
        greetingRow = undefined;
        header = personColumns(text, line);
        if (header && above && isRowAbove(text, above, header)) header = undefined;
        above = line;
        start = line.end + 1;
      }
    },
  };
}
