import { contextMatcher, type ContextWords } from "../context.js";
import type { Recognizer } from "./recognizer.js";
import { forEachMatch, ownRegex } from "./matches.js";

export interface Finding {
  start: number;
  end: number;
  score: number;
}

export interface PatternSpec {
  name: string;
  type: string;
  /** Must carry the `g` flag. Each recognizer runs its own copy (`ownRegex`), so none shares `lastIndex`. */
  regex: RegExp;
  /** The score of a candidate, or null to drop it; may narrow the span (to a capture group, say). */
  evaluate(match: RegExpExecArray, text: string): Finding | null;
  context?: ContextWords;
  /** A cheap whole-text test; when it fails the regex is not run at all. */
  prefilter?: (text: string) => boolean;
  /**
   * Try again from the next position inside a candidate `evaluate` dropped: for patterns whose
   * candidate may run on into a value of their own kind (an IBAN's groups read on into the next
   * IBAN's), so a rejected one must not hide it. Only for candidates of bounded length. A function
   * says which rejected candidates to try again.
   */
  retryInsideRejected?: boolean | ((candidate: string) => boolean);
}

export function patternRecognizer(spec: PatternSpec): Recognizer {
  const context = contextMatcher(spec.context ?? {});
  const regex = ownRegex(spec.regex);
  const retry = spec.retryInsideRejected;
  const retryInside = typeof retry === "function" ? retry : () => retry === true;
  return {
    name: spec.name,
    scan(text, out, deadline) {
      if (spec.prefilter && !spec.prefilter(text)) return;
      forEachMatch(regex, text, deadline, (match) => {
        const found = spec.evaluate(match, text);
        if (!found) {
          if (retryInside(match[0])) regex.lastIndex = match.index + 1;
          return;
        }
        // A finding narrower than its candidate: what the candidate ran on into is scanned again, as
        // the start of a value of its own ("… 0130 00 to GB82 WEST …": the second IBAN).
        if (found.end < match.index + match[0].length && found.end > match.index) regex.lastIndex = found.end;
        const score = context.adjust(text, found.start, found.end, found.score);
        if (score > 0) out.push({ type: spec.type, start: found.start, end: found.end, score });
      });
    },
  };
}

/** The span of the whole match. */
export const whole = (match: RegExpExecArray, score: number): Finding => ({
  start: match.index,
  end: match.index + match[0].length,
  score,
});

/** The span of capture group `index`; the regex needs the `d` flag. */
export function group(match: RegExpExecArray, index: number, score: number): Finding | null {
  const span = match.indices?.[index];
  return span ? { start: span[0], end: span[1], score } : null;
}
