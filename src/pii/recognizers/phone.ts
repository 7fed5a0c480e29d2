import type { CountryCode } from "libphonenumber-js/max";
import { phoneValidator } from "../validators.js";
import { patternRecognizer } from "./pattern.js";
import { HYPHENS, SPACES, toAsciiSeparators } from "./separators.js";

// An optional +country prefix and (area code), then 7-15 digits in a row or two to six groups (of up to eight digits) split by
// one space, dot or dash (no-break spaces and Unicode hyphens included); lone short numbers ("2024", "42") never become candidates.
const SEP = `[${SPACES}.${HYPHENS}]`;
const CANDIDATE = new RegExp(
  `(?<![\\w+./${HYPHENS}])(?:\\+\\d{1,3}${SEP}?)?(?:\\(\\d{1,5}\\)${SEP}?)?(?:\\d{7,15}|\\d{1,8}(?:${SEP}\\d{1,8}){1,5})(?![\\w]|[.${HYPHENS}]\\d)`,
  "g",
);
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// Groups of four, as card numbers are printed; no numbering plan writes phone numbers like that.
const CARD_LIKE = /^\d{4}(?:[ -]\d{4}){2,}$/;
// Six pairs of digits is how a MAC address with only decimal digits looks.
const MAC_LIKE = /^\d\d([-.])\d\d(?:\1\d\d){4}$/;
const DATE_LIKE = /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$/;

const digitCount = (s: string) => s.replace(/\D/g, "").length;

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
    evaluate(match) {
      // Same length as the match, so the offsets below still index the original text.
      const candidate = toAsciiSeparators(match[0]);
      if (DOTTED_QUAD.test(candidate) || DATE_LIKE.test(candidate) || MAC_LIKE.test(candidate)) return null;
      // A short trailing group may be a separate number ("call 555-123-4567 2 times"): retry without it.
      const shortTail = /[ .-]\d{1,2}$/.exec(candidate);
      const attempts = shortTail ? [candidate, candidate.slice(0, shortTail.index)] : [candidate];
      for (const attempt of attempts) {
        const digits = digitCount(attempt);
        if (digits < 7 || digits > 15 || CARD_LIKE.test(attempt) || !isPhoneNumber(attempt)) continue;
        const score = attempt.startsWith("+") ? 0.7 : /[ .\-()]/.test(attempt) ? 0.6 : 0.3;
        return { start: match.index, end: match.index + attempt.length, score };
      }
      return null;
    },
    context: {
      positive: ["phone", "call", "tel", "telephone", "mobile", "cell", "fax", "mob", "whatsapp", "sms", "text me", "reach me", "ring", "contact", "dial"],
      negative: ["order", "invoice", "tracking", "ticket", "ref", "reference", "serial", "isbn", "version", "build", "account no", "account number", "acct", "id", "sku", "part", "zip"],
    },
  });
}
