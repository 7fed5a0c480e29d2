import type { Deadline } from "../budget.js";
import { CHECK_EVERY } from "./recognizer.js";

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Calls `visit` for each maximal run of hex digits and `separators` that contains `anchor` and stands
 * alone (no letter, digit or underscore glued to either end). Jumping from one `anchor` to the next
 * with `indexOf` is what makes IPv6 and MAC detection cheap on prose, where most positions could
 * start a hex character class but few are next to a colon.
 */
export function forEachHexRun(
  text: string,
  anchor: string,
  separators: string,
  deadline: Deadline,
  visit: (start: number, end: number) => void,
): void {
  // Compares character codes instead of building a one-character string for every character of every run.
  const sep = (c: number) => {
    for (let k = 0; k < separators.length; k++) if (separators.charCodeAt(k) === c) return true;
    return false;
  };
  let seen = 0;
  let at = text.indexOf(anchor);
  while (at !== -1) {
    if (++seen % CHECK_EVERY === 0) deadline.check();
    let start = at;
    while (start > 0 && (isHex(text.charCodeAt(start - 1)) || sep(text.charCodeAt(start - 1)))) start--;
    let runEnd = at + 1;
    while (runEnd < text.length && (isHex(text.charCodeAt(runEnd)) || sep(text.charCodeAt(runEnd)))) runEnd++;
    // Sentence punctuation after a run ("… from fe80::1.") is not part of it.
    let end = runEnd;
    while (end > start && sep(text.charCodeAt(end - 1)) && text.charCodeAt(end - 1) !== 58) end--;
    const glued = (start > 0 && isWord(text.charCodeAt(start - 1))) || (end < text.length && isWord(text.charCodeAt(end)));
    if (!glued && end - start >= 3) visit(start, end);
    // Every anchor inside the run gives this same run: the next one to try is past it, whatever the
    // trim took off (a run of separators alone trims to nothing, and was walked again from each one).
    at = text.indexOf(anchor, runEnd);
  }
}
