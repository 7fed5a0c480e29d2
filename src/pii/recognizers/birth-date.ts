import { contextMatcher } from "../context.js";
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

/**
 * DATE_TIME, restricted to birth dates: a date is personal data when it says when someone was born,
 * not when a meeting is. Dates without birth context are not reported at all.
 */
export function birthDateRecognizer(): Recognizer {
  const birth = contextMatcher({ positive: BIRTH_WORDS });
  const dates = ownRegex(DATE);
  return {
    name: "birth_date",
    scan(text, out, deadline) {
      if (!ANY_BIRTH_WORD.test(text)) return;
      forEachMatch(dates, text, deadline, (match) => {
        const end = match.index + match[0].length;
        if (birth.supports(text, match.index, end)) out.push({ type: "DATE_TIME", start: match.index, end, score: 0.85 });
      });
    },
  };
}
