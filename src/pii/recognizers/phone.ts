import type { CountryCode } from "libphonenumber-js/max";
import { phoneValidator } from "../validators.js";
import { patternRecognizer } from "./pattern.js";
import { HYPHENS, joinsARange, SPACES, toAsciiSeparators } from "./separators.js";

// An optional +country prefix and (area code), then 7-15 digits in a row or two to six groups (of up to eight digits) split by
// one space, dot or dash (no-break spaces and Unicode dashes included) or a dash with spaces around it; lone short numbers
// ("2024", "42") never become candidates. A trunk-prefixed area code may end in "/", as German, Austrian and Italian numbers
// are written ("030/12345678", "0171 / 1234567"): only after a leading 0, so "3/4" and "1/2/2024" are no candidates.
// One or two digits followed by ":" and a digit are the hours of a time ("2024-03-15 10:23:45"), not the end of
// a number; longer runs before ":" are a number with a port or extension ("sip:+14155550132:5060").
const SEP = `(?:[${SPACES}][${HYPHENS}][${SPACES}]|[${SPACES}.${HYPHENS}])`;
const GROUPS = `\\d{1,8}(?:${SEP}\\d{1,8})`;
const CANDIDATE = new RegExp(
  `(?<![\\w+./${HYPHENS}])(?:\\+\\d{1,3}${SEP}?)?(?:\\(\\d{1,5}\\)${SEP}?)?(?:\\d{7,15}|${GROUPS}{1,5}|0\\d{1,4} ?/ ?${GROUPS}{0,4})(?![\\w]|[./${HYPHENS}]\\d|(?<!\\d{3}):\\d)`,
  "g",
);
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// Groups of four, as card numbers are printed; no numbering plan writes phone numbers like that.
const CARD_LIKE = /^\d{4}(?:[ -]\d{4}){2,}$/;
// Six pairs of digits is how a MAC address with only decimal digits looks.
const MAC_LIKE = /^\d\d([-.])\d\d(?:\1\d\d){4}$/;
const DATE_LIKE = /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$/;
// A date a space away from other digits joins them in one candidate ("2024-03-15 1042", "called 415-555-0132
// 2024-03-15"); it is no part of a number. Only unambiguous dates: a year 19xx/20xx first or last, with a real
// month and day. Pairs with a two-digit year are also how phone numbers are grouped (06-12-34).
const DATE = "(?:(?:19|20)\\d\\d([.-])(?:0?[1-9]|1[0-2])\\1(?:0?[1-9]|[12]\\d|3[01])|(?:0?[1-9]|[12]\\d|3[01])([.-])(?:0?[1-9]|[12]\\d|3[01])\\2(?:19|20)\\d\\d)";
const LEADING_DATE = new RegExp(`^${DATE} `);
const TRAILING_DATE = new RegExp(` ${DATE}$`);

// "0815/12345" is as often an invoice, room, page or file number ("Rechnung Nr. 0815/12345", "Seite 012/2024",
// "Aktenzeichen 012/3456789"): the slash form is a phone number only with a phone word nearby, and not when a
// label of another number stands closer before it than the phone word. "Tel.-Nr." and "Telefonnr." are phone words.
const SLASH_PHONE_WORD =
  /(?<![\p{L}\d])(?:tel(?:efon|ephone)?(?:[ .-]*(?:nr|nummer)\.?)?|telefonnummer|rufnummer|rufnr|fax(?:[ .-]*nr\.?)?|mobil(?:telefon|nummer)?|handy(?:nummer)?|phone(?:[ .-]*(?:no|nr|number)\.?)?|call|anruf|ruf|cell|mobile)(?![\p{L}\d])|[☎📞]/giu;
const SLASH_OTHER_LABEL =
  /(?<![\p{L}\d])(?:nr|no|rechnung(?:snummer|snr)?|seite|zimmer|az|aktenzeichen|konto(?:nr|nummer)?|kundennr|kundennummer|bestellnr|bestellnummer|auftrag(?:snr|snummer)?|artikel(?:nr)?|invoice|page|room|order|account)(?![\p{L}\d])/giu;
const PHONE_HINT = /tel|ruf|fax|mobil|handy|phone|call|cell|\u260e|\ud83d\udcde/i;
const SLASH_REACH_BEFORE = 48;
const SLASH_REACH_AFTER = 24;

/** End of the last match of `re` in `s`, or -1. */
function lastEnd(re: RegExp, s: string): number {
  let end = -1;
  for (const m of s.matchAll(re)) end = m.index + m[0].length;
  return end;
}

/** Whether a slash-form candidate [start, end) has a phone word nearby and no other number's label closer before it. */
function slashFormIsAPhone(text: string, start: number, end: number): boolean {
  // Most slashed numbers have no phone word near them at all: one cheap test settles those.
  if (!PHONE_HINT.test(text.slice(Math.max(0, start - SLASH_REACH_BEFORE), end + SLASH_REACH_AFTER))) return false;
  const before = text.slice(Math.max(0, start - SLASH_REACH_BEFORE), start);
  const phoneBefore = lastEnd(SLASH_PHONE_WORD, before);
  const otherBefore = lastEnd(SLASH_OTHER_LABEL, before);
  if (phoneBefore >= 0) return phoneBefore >= otherBefore;
  if (otherBefore >= 0) return false;
  SLASH_PHONE_WORD.lastIndex = 0;
  return SLASH_PHONE_WORD.test(text.slice(end, end + SLASH_REACH_AFTER));
}

const digitCount = (s: string) => s.replace(/\D/g, "").length;
const groupsIn = (s: string) => s.match(/\d+/g)?.length ?? 0;

/** The candidate without a date at either end, and where what is left starts. */
function withoutDates(candidate: string): { offset: number; rest: string } {
  const leading = LEADING_DATE.exec(candidate);
  const offset = leading ? leading[0].length : 0;
  const trailing = TRAILING_DATE.exec(candidate.slice(offset));
  const rest = trailing ? candidate.slice(offset, offset + trailing.index) : candidate.slice(offset);
  return { offset, rest };
}

/**
 * PHONE_NUMBER, validated by libphonenumber-js (full metadata) in international format or in the
 * national format of one of `regions`. International format scores highest and a bare digit run
 * lowest: without "call"/"phone" nearby it is more often an order or account number.
 */
export function phoneRecognizer(regions: readonly CountryCode[]) {
  const isPhoneNumber = phoneValidator(regions);
  return patternRecognizer({
    name: "phone",
    type: "PHONE_NUMBER",
    regex: CANDIDATE,
    evaluate(match, text) {
      // The slash form is checked for its context first: libphonenumber's test is the costly part of a
      // scan, and a text of slashed numbers ("0815/12345") must not pay it for each of them.
      if (match[0].includes("/") && !slashFormIsAPhone(text, match.index, match.index + match[0].length)) return null;
      // Same length as the match, so the offsets below still index the original text.
      const { offset, rest: candidate } = withoutDates(toAsciiSeparators(match[0]));
      // Read as if each spaced dash were a dash for the shape checks below ("2024 - 03 - 15" is a date).
      const shape = candidate.replace(/ - /g, "-");
      if (DOTTED_QUAD.test(shape) || DATE_LIKE.test(shape) || MAC_LIKE.test(shape)) return null;
      // A short trailing group may be a separate number ("call 555-123-4567 2 times"): retry without it.
      const shortTail = /(?: - |[ .-])\d{1,2}$/.exec(candidate);
      const attempts = shortTail ? [candidate, candidate.slice(0, shortTail.index)] : [candidate];
      for (const attempt of attempts) {
        const digits = digitCount(attempt);
        if (digits < 7 || digits > 15 || CARD_LIKE.test(attempt.replace(/ - /g, "-")) || joinsARange(match[0].slice(offset, offset + attempt.length), groupsIn(attempt) - 1)) continue;
        if (!isPhoneNumber(attempt)) continue;
        const score = attempt.startsWith("+") ? 0.7 : /[ .\-()/]/.test(attempt) ? 0.6 : 0.3;
        const start = match.index + offset;
        return { start, end: start + attempt.length, score };
      }
      return null;
    },
    context: {
      positive: ["phone", "call", "tel", "telephone", "mobile", "cell", "fax", "mob", "whatsapp", "sms", "text me", "reach me", "ring", "contact", "dial"],
      negative: ["order", "invoice", "tracking", "ticket", "ref", "reference", "serial", "isbn", "version", "build", "account no", "account number", "acct", "id", "sku", "part", "zip"],
    },
  });
}
