/**
 * JSON, JavaScript and Python strings write a line break or tab as `\n`, `\r` or `\t` (or `\u000a`,
 * `\u000d`, `\u0009`, as some encoders do), and a model
 * reads the white space: in `"Best,\nMaria Gonzalez"` a name signs a letter. As written, the escape's
 * letter is glued to the next word ("nMaria"), and recognizers made for prose find no name, address or
 * phone number there. This reading puts the white space in the escape's place, in as many characters,
 * so what is found in it needs no mapping back: its offsets are the text's. It adds to the text as
 * written, never replaces it: `\\r7` inside a password is a backslash and `r7` (a value whose letter the
 * reading would cut off), and the secret is found whole only as written.
 */
import { NO_DEADLINE, type Deadline } from "./budget.js";
import { addWindow } from "./windows.js";

/**
 * A run of escapes opens a reading only where a value may follow on its line: within `LOOK_AHEAD` units
 * past it (and the blanks after it), before the next line escape or quote, a capital, a digit, `@`, `+`,
 * `(`, `:`, `/`, `=` or any character beyond ASCII (`\nKwame`, `\tsk-proj-…`, `\nssn 536224187`, `\nhttps://…`,
 * `\nmr Kwame`, `\n\u00a0Kwame`). Before a line of lower-case words (prose and code: `\nfor the`, `%d\n`) the
 * reading would only cost a second scan. A run of backslashes is taken whole from its first (JSON inside a
 * JSON string writes `\\n`), so each backslash is looked at once.
 */
const LOOK_AHEAD = 64;
/** The code unit each escape's letter stands for: line feed, carriage return, tab. */
const WHITE_SPACE: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09 };
/** The same written as `\u` escapes, by their last hex digit (`\u000a`, `\u000D`, `\u0009`). */
const UNICODE_WHITE_SPACE: Readonly<Record<string, number>> = { a: 0x0a, A: 0x0a, d: 0x0d, D: 0x0d, "9": 0x09 };
const SPACE = 0x20;
const TAB = 0x09;
/** How many backslash runs are looked at between two looks at the scan's deadline. */
const RUNS_PER_CHECK = 1024;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

export interface LineEscapeReading {
  /** The stretches within the radius asked for of the escapes that open a reading, merged where they touch, in order. */
  windows: Array<[start: number, end: number]>;
  /** `text.slice(from, to)` with every line escape in it read as white space, as long as the slice. */
  read(from?: number, to?: number): string;
}

/**
 * Where `text` holds line-break or tab escapes before a value, and how it reads with its line escapes as
 * the white space they stand for; undefined when it holds none. Throws `PiiScanError` when `deadline`
 * passes. A stretch is read whole, not only the escape that opened it: the line breaks before it make
 * the line starts a name or label needs (`\n## Client\n\nKwame Brandt`, `Regards,\n \nKwame`). The
 * reading is made only for what is asked of it, into a copy of the code units (a string put together
 * piece by piece cost 300 ms for a third of a million escapes, past the scan's whole budget).
 *
 * @example lineEscapeReading(String.raw`Best,\nMaria`, 256)!.read() // "Best, \nMaria" (the same length)
 */
export function lineEscapeReading(text: string, radius: number, deadline: Deadline = NO_DEADLINE): LineEscapeReading | undefined {
  const windows: Array<[number, number]> = [];
  let runs = 0;
  const looked = () => {
    if (++runs % RUNS_PER_CHECK === 0) deadline.check();
  };
  for (let at = text.indexOf("\\"); at !== -1; ) {
    looked();
    let end = lineEscapeEnd(text, at);
    if (end < 0) {
      at = text.indexOf("\\", -end);
      continue;
    }
    // The escapes after it with only spaces and tabs between (`\r\n`, a blank line, indentation).
    const first = at;
    for (;;) {
      const next = afterBlanks(text, end);
      const following = text.charCodeAt(next) === BACKSLASH ? lineEscapeEnd(text, next) : -1;
      if (following < 0) {
        end = next;
        break;
      }
      looked();
      end = following;
    }
    if (mayHoldValue(text, end)) addWindow(windows, Math.max(0, first - radius), Math.min(text.length, end + 1 + radius));
    at = text.indexOf("\\", end);
  }
  if (windows.length === 0) return undefined;
  return {
    windows,
    read(from = 0, to = text.length) {
      deadline.check();
      const codes = new Uint16Array(to - from);
      for (let i = 0; i < codes.length; i++) codes[i] = text.charCodeAt(from + i);
      for (let at = text.indexOf("\\", from); at !== -1 && at < to; ) {
        const end = lineEscapeEnd(text, at);
        if (end < 0) {
          at = text.indexOf("\\", -end);
          continue;
        }
        // The escape's last unit stands for the white space, the units before it for spaces.
        const letter = end - 1;
        codes.fill(SPACE, at - from, Math.min(letter, to) - from);
        if (letter < to) codes[letter - from] = WHITE_SPACE[text[letter]!] ?? UNICODE_WHITE_SPACE[text[letter]!]!;
        at = text.indexOf("\\", end);
      }
      return fromCodeUnits(codes);
    },
  };
}

/**
 * Where the line escape whose run of backslashes starts at `at` ends (after its letter, or its `\u`
 * escape's last digit); when the run is no line escape, minus where the run ends, so the caller moves on
 * past it.
 */
function lineEscapeEnd(text: string, at: number): number {
  let letter = at;
  while (text.charCodeAt(letter) === BACKSLASH) letter++;
  const length = lineEscapeLength(text, letter);
  return length === 0 ? -Math.max(letter, at + 1) : letter + length;
}

/**
 * How many units after a backslash at `letter` spell a line break or tab (`n`: 1, `u000a`: 5), or 0.
 * Constant time: a run of backslashes is not walked again.
 *
 * @example lineEscapeLength(String.raw`\u000aKwame`, 1) // 5
 */
export function lineEscapeLength(text: string, letter: number): number {
  const first = text[letter];
  if (first === undefined) return 0;
  if (WHITE_SPACE[first] !== undefined) return 1;
  if (first !== "u" || !text.startsWith("000", letter + 1)) return 0;
  return UNICODE_WHITE_SPACE[text[letter + 4] ?? ""] === undefined ? 0 : 5;
}

function afterBlanks(text: string, at: number): number {
  while (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB) at++;
  return at;
}

/** In slices: `String.fromCharCode` takes its code units as arguments, and the stack holds only so many. */
function fromCodeUnits(codes: Uint16Array): string {
  let text = "";
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode.apply(null, codes.subarray(i, i + 8192) as unknown as number[]);
  return text;
}

function mayHoldValue(text: string, at: number): boolean {
  const end = Math.min(text.length, at + LOOK_AHEAD);
  for (let i = at; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE || (code === BACKSLASH && lineEscapeLength(text, i + 1) > 0)) return false;
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x3a) || code >= 0x80) return true;
    // @ + ( / =: an address, a phone number, a path or URL, a label before a quoted value (`\nssn="…"`).
    if (code === 0x40 || code === 0x2b || code === 0x28 || code === 0x2f || code === 0x3d) return true;
  }
  return false;
}
