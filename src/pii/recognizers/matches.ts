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
      // An empty match would not advance lastIndex; step over it by one code point, as matchAll does.
      if (match[0].length === 0) regex.lastIndex += regex.unicode && (text.codePointAt(regex.lastIndex) ?? 0) > 0xffff ? 2 : 1;
      if (++seen % CHECK_EVERY === 0) deadline.check();
      visit(match);
    }
  } finally {
    regex.lastIndex = 0;
  }
}

/** A recognizer's own copy of a module-level pattern, for `forEachMatch`. */
export const ownRegex = (regex: RegExp) => new RegExp(regex.source, regex.flags);
