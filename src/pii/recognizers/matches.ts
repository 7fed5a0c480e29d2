import type { Deadline } from "../budget.js";
import { CHECK_EVERY } from "./recognizer.js";

/**
 * A global regex's matches, like `text.matchAll(regex)` but without the clone `matchAll` makes of the
 * regex on every call, a cost that shows on short texts. `regex` must belong to one recognizer instance
 * (see `ownRegex`): it is rewound before and after, and scans are synchronous, so two never interleave
 * on it. Looks at the deadline every `CHECK_EVERY` matches.
 */
export function forEachMatch(regex: RegExp, text: string, deadline: Deadline, visit: (match: RegExpExecArray) => void): void {
  let seen = 0;
  regex.lastIndex = 0;
  try {
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) stepOverEmptyMatch(regex, text);
      if (++seen % CHECK_EVERY === 0) deadline.check();
      visit(match);
    }
  } finally {
    regex.lastIndex = 0;
  }
}

/**
 * An empty match does not advance `regex.lastIndex`: step over it by one code point of `text`, as
 * `matchAll` does (`text` is the text as written, whatever string was searched).
 */
export function stepOverEmptyMatch(regex: RegExp, text: string): void {
  regex.lastIndex += regex.unicode && (text.codePointAt(regex.lastIndex) ?? 0) > 0xffff ? 2 : 1;
}

/** A recognizer's own copy of a module-level pattern, for `forEachMatch`. */
export const ownRegex = (regex: RegExp) => new RegExp(regex.source, regex.flags);
