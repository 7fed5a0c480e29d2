/**
 * Rows of a pasted table split into cells, for recognizers that read a table by its columns
 * (name-columns.ts). CSV, TSV and `;` rows follow RFC 4180 as spreadsheets export it: a cell whose
 * first character (after spaces) is `"` is quoted, `""` inside it is a quote, and it may hold the
 * delimiter (`"Kowalska, Jr."`) and line breaks (a note's lines), so one row can span several lines.
 * Markdown and other pipe tables split at `|` (not `\|`), with or without the outer pipes.
 */

export const DELIMITERS = [",", "\t", ";", "|"] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface Cell {
  start: number;
  end: number;
}

export interface Row {
  cells: Cell[];
  /** Where the row's last line ends (its `\n`, or the text's end). */
  end: number;
}

const QUOTE = 34;
const NEWLINE = 10;

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 0xfeff;
}

/** `[start, end)` without the spaces, tabs, `\r` and byte-order mark around it. */
export function trimmedCell(text: string, start: number, end: number): Cell {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

/**
 * Where the quoted cell opened at `open` closes (its closing `"`), or -1 if not before `limit`. A scan
 * that finds none read only quotes in pairs, so a cell that opens inside what it read closes within
 * its own run of quotes: the rows after a stray quote do not read the same characters again.
 */
function closingQuote(text: string, open: number, limit: number): number {
  for (let i = open + 1; i < limit; i++) {
    if (text.charCodeAt(i) !== QUOTE) continue;
    if (i + 1 >= limit || text.charCodeAt(i + 1) !== QUOTE) return i;
    i++;
  }
  return -1;
}

/** The first `delimiter` or line break at or after `from`, or `limit`. */
function cellEnd(text: string, from: number, delimiter: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === delimiter || code === NEWLINE) return i;
  }
  return limit;
}

/**
 * The CSV, TSV or `;` row starting at `start`. A quoted cell's span is its content without the quotes
 * (`""` left as written); what follows its closing quote up to the delimiter is dropped.
 */
function quotedRowAt(text: string, start: number, delimiter: string, limit: number): Row {
  const code = delimiter.charCodeAt(0);
  const cells: Cell[] = [];
  let i = start;
  for (;;) {
    let first = i;
    while (first < limit && text.charCodeAt(first) === 32) first++;
    const close = first < limit && text.charCodeAt(first) === QUOTE ? closingQuote(text, first, limit) : -1;
    const end = cellEnd(text, close === -1 ? i : close + 1, code, limit);
    cells.push(close === -1 ? trimmedCell(text, i, end) : { start: first + 1, end: close });
    if (end < limit && text.charCodeAt(end) === code) {
      i = end + 1;
      continue;
    }
    return { cells, end };
  }
}

/**
 * The pipe row on the line `[start, end)`: `| a | b |`, `a | b`, `| a | b` alike give the cells a and b,
 * and with `pipeOpensCell` the first is `| a | b |`'s empty cell before a.
 */
function pipeRowAt(text: string, start: number, end: number, pipeOpensCell: boolean): Row {
  const line = trimmedCell(text, start, end);
  let from = line.start;
  let to = line.end;
  if (from < to && text[from] === "|" && !pipeOpensCell) from++;
  if (to > from && text[to - 1] === "|" && text[to - 2] !== "\\") to--;
  const cells: Cell[] = [];
  let cellStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && (text[i] !== "|" || text[i - 1] === "\\")) continue;
    const cell = trimmedCell(text, cellStart, i);
    // Markdown writes a cell's own quotes; a quoted CSV-style cell loses them as above.
    const quoted = cell.end - cell.start >= 2 && text.charCodeAt(cell.start) === QUOTE && text.charCodeAt(cell.end - 1) === QUOTE;
    cells.push(quoted ? { start: cell.start + 1, end: cell.end - 1 } : cell);
    cellStart = i + 1;
  }
  return { cells, end };
}

export interface RowOptions {
  /**
   * How far a quoted cell may run over line breaks (a pipe table's never does); one that does not close
   * by then, or by the line's end without `reach`, is a cell starting with a stray `"` that ends at a
   * delimiter or its line's end like any other. No character at or past it (or `lineEnd`) is read.
   */
  reach?: number;
  /**
   * Whether a pipe starting the row opens an empty first cell: under a header written after text on its
   * line ("Found: | Surname | team |"), whose first cell is that text, not the table's first column.
   */
  pipeOpensCell?: boolean;
}

/** The row of `delimiter`'s table on the line `[start, lineEnd)`. */
export function rowAt(text: string, start: number, lineEnd: number, delimiter: Delimiter, options: RowOptions = {}): Row {
  if (delimiter === "|") return pipeRowAt(text, start, lineEnd, options.pipeOpensCell ?? false);
  return quotedRowAt(text, start, delimiter, options.reach ?? lineEnd);
}

/** Whether a pipe table's header line starts with text and ends with a pipe ("Found: | Surname | team |"). */
export function textBeforePipeHeader(text: string, start: number, end: number): boolean {
  const line = trimmedCell(text, start, end);
  return line.end > line.start && text[line.start] !== "|" && text[line.end - 1] === "|";
}
