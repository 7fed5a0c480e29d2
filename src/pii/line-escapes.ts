/**
 * JSON, JavaScript and Python strings write a line break or tab as `\n`, `\r` or `\t`, and a model
 * reads the white space: in `"Best,\nMaria Gonzalez"` a name signs a letter. As written, the escape's
 * letter is glued to the next word ("nMaria"), and recognizers made for prose find no name, address or
 * phone number there. This reading puts the white space in the escape's place, in as many characters,
 * so what is found in it needs no mapping back: its offsets are the text's. It adds to the text as
 * written, never replaces it: `\\r7` inside a password is a backslash and `r7` (a value whose letter the
 * reading would cut off), and the secret is found whole only as written.
 */
import { NO_DEADLINE, type Deadline } from "./budget.js";
import { partitionPoint } from "./partition-point.js";
import { addWindow } from "./windows.js";

/**
 * An escape is read only before what a value can start with (a capital of any script, a digit, `+`,
 * `(`, a vendor token's or address's lower-case start): before lower-case words (`\nfor`, code's `"\n"` and `%d\n`) the reading would only cost a second
 * scan. A run of backslashes is taken whole from its first (JSON inside a JSON string writes `\\n`), so
 * each backslash is looked at once.
 */
const CAPITAL = /^[\p{Lu}\p{Lt}]$/u;
/**
 * Values that start in lower case and that a glued escape's letter would hide: vendor tokens (`sk-`,
 * `ghp_`, `xoxb-`, `glpat-`, …), bech32 addresses, MAC and IPv6 addresses (`\taa:bb:…`, `\tfe80::1`).
 * Sticky: tried only where the escape ends.
 */
const LOWER_CASE_VALUE = /(?:sk[-_]|rk_|gh[pousr]_|github_pat_|xox[abposr]-|glpat-|bc1|[0-9a-f]{1,4}::?[0-9a-f])/y;
/** The code unit each escape's letter stands for: line feed, carriage return, tab. */
const WHITE_SPACE: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09 };
const SPACE = 0x20;
/** How many escapes are read between two looks at the scan's deadline. */
const ESCAPES_PER_CHECK = 1024;
const BACKSLASH = 0x5c;

export interface LineEscapeReading {
  /** The stretches within the radius asked for of the escapes read, merged where they touch, in order. */
  windows: Array<[start: number, end: number]>;
  /** `text.slice(from, to)` with the escapes in it read as white space, as long as the slice. */
  read(from?: number, to?: number): string;
}

/**
 * Where `text` holds line-break or tab escapes glued to a value, and how it reads with them as the
 * white space they stand for; undefined when it holds none. Throws `PiiScanError` when `deadline`
 * passes. The reading is made only for what is asked of it: a megabyte with a few escapes needs a few
 * stretches, and one dense with them (a third of a million) cost 300 ms as a string put together piece
 * by piece, past the scan's whole budget, so a long reading is written into a copy of the code units.
 *
 * @example lineEscapeReading(String.raw`Best,\nMaria`, 256)!.read() // "Best, \nMaria" (the same length)
 */
export function lineEscapeReading(text: string, radius: number, deadline: Deadline = NO_DEADLINE): LineEscapeReading | undefined {
  const windows: Array<[number, number]> = [];
  // Each escape read, as the offset of its first backslash and of its letter: flat, as pairs cost an array each.
  const escapes: number[] = [];
  // Escapes right before this one (`\r\n`, a blank line's `\n\n`): read with it when it is read, or the
  // first stays glued to the word before ("Regards,\r") and a sign-off is not seen as one.
  let chain: number[] = [];
  let readSinceCheck = 0;
  for (let at = text.indexOf("\\"); at !== -1; ) {
    let letter = at;
    while (text.charCodeAt(letter) === BACKSLASH) letter++;
    if (WHITE_SPACE[text[letter] ?? ""] === undefined) chain = [];
    else if (startsValue(text, letter + 1)) {
      const first = chain.length > 0 ? chain[0]! : at;
      const chainLength = chain.length / 2;
      // One by one: a chain may be a whole text of escapes, too many arguments for one push.
      for (const offset of chain) escapes.push(offset);
      escapes.push(at, letter);
      chain = [];
      addWindow(windows, Math.max(0, first - radius), Math.min(text.length, letter + 1 + radius));
      // Counted apart from the escapes: a chain adds several at once and could step over a multiple.
      readSinceCheck += chainLength + 1;
      if (readSinceCheck >= ESCAPES_PER_CHECK) {
        readSinceCheck = 0;
        deadline.check();
      }
    } else if (text.charCodeAt(letter + 1) === BACKSLASH) chain.push(at, letter);
    else chain = [];
    at = text.indexOf("\\", letter);
  }
  if (escapes.length === 0) return undefined;
  return {
    windows,
    read(from = 0, to = text.length) {
      deadline.check();
      const codes = new Uint16Array(to - from);
      for (let i = 0; i < codes.length; i++) codes[i] = text.charCodeAt(from + i);
      // The first escape ending after `from`; an escape reaching into the slice is read in its part.
      let pair = 2 * partitionPoint(escapes.length / 2, (i) => escapes[2 * i + 1]! < from);
      for (; pair < escapes.length && escapes[pair]! < to; pair += 2) {
        const start = escapes[pair]!;
        const letter = escapes[pair + 1]!;
        codes.fill(SPACE, Math.max(start, from) - from, Math.min(letter, to) - from);
        if (letter < to) codes[letter - from] = WHITE_SPACE[text[letter]!]!;
      }
      return fromCodeUnits(codes);
    },
  };
}

/** In slices: `String.fromCharCode` takes its code units as arguments, and the stack holds only so many. */
function fromCodeUnits(codes: Uint16Array): string {
  let text = "";
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode.apply(null, codes.subarray(i, i + 8192) as unknown as number[]);
  return text;
}

function startsValue(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x28) return true;
  if (code < 0x80) {
    LOWER_CASE_VALUE.lastIndex = at;
    return LOWER_CASE_VALUE.test(text);
  }
  if (Number.isNaN(code)) return false;
  const char = String.fromCodePoint(text.codePointAt(at)!);
  return CAPITAL.test(char);
}
