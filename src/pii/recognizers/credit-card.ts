import { luhn } from "../validators.js";
import { patternRecognizer, whole } from "./pattern.js";
import { HYPHENS, SPACES, toAsciiSeparators } from "./separators.js";

// 13-19 digits, optionally in groups split by one space, dash or dot (no-break spaces and Unicode
// hyphens included), not glued to other digits, nor to a dotted number around it ("1.5555.…", "….4444.1").
const CANDIDATE = new RegExp(
  `(?<![\\w${HYPHENS}]|\\d\\.)[2-6]\\d{3}(?:[${SPACES}${HYPHENS}.]?\\d){9,15}(?!\\w|\\.\\d)`,
  "g",
);
// Visa, Mastercard (51-55 and 2221-2720), Amex, Diners, JCB, Discover, UnionPay.
const ISSUER = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2))/;

export const creditCardRecognizer = () =>
  patternRecognizer({
    name: "credit_card",
    type: "CREDIT_CARD",
    regex: CANDIDATE,
    evaluate(match) {
      // A no-break space and a space are the same separator to the reader, so not a mix.
      const raw = toAsciiSeparators(match[0]);
      const separators = raw.replace(/\d/g, "");
      if (separators.length > 0 && new Set(separators).size > 1) return null;
      // One dot is how a decimal number looks ("5105.105105105100"); a card split by dots has its groups.
      if (separators === ".") return null;
      const digits = raw.length - separators.length;
      if (digits < 13 || digits > 19 || !ISSUER.test(raw) || !luhn(raw)) return null;
      return whole(match, 0.9);
    },
    context: {
      positive: ["card", "credit", "visa", "mastercard", "amex", "cc", "payment", "pay", "charged", "debit"],
      negative: ["order", "tracking", "invoice", "isbn", "serial"],
    },
  });
