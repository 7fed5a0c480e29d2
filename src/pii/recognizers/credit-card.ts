import { luhn } from "../validators.js";
import { patternRecognizer, whole } from "./pattern.js";
import { isTestCardInTestingText } from "./published-test-cards.js";
import { HYPHENS, SPACES, toAsciiSeparators } from "./separators.js";

// 13-19 digits, optionally in groups split by one space, dash or dot (no-break spaces and Unicode
// hyphens included), not glued to other digits, nor to a dotted number around it ("1.5555.…", "….4444.1").
const CANDIDATE = new RegExp(
  `(?<![\\w${HYPHENS}]|\\d\\.)[2-6]\\d{3}(?:[${SPACES}${HYPHENS}.]?\\d){9,15}(?!\\w|\\.\\d)`,
  "g",
);
// Visa, Mastercard (51-55 and 2221-2720), Amex, Diners, JCB, Discover, UnionPay.
const ISSUER = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2))/;
// "Our sku 5555…", "Confirmation number: 4532…", "IMEI 4901…": a number labelled as another identifier.
// Only a label right before the number counts; "order 123 paid by card 4532…" is still a card. "is" only
// labels after number/no/id/code ("order number is …"): "the order is …" is a sentence going on.
// "order" and "invoice" label a number only with number/no/id/code, ":" or "#": "Refund the order 4532…"
// is as often the card the order was paid with.
const OTHER_IDENTIFIER_LABEL =
  /(?<![a-z0-9])(?:(?:sku|confirmation|imei|ref(?:erence)?|tracking|isbn|serial)(?:[ \t]*(?:number|num|no\.?|id|code)(?:[ \t]+is)?)?[ \t]*[:#]?|(?:order|invoice)(?:[ \t]*(?:number|num|no\.?|id|code)(?:[ \t]+is)?[ \t]*[:#]?|[ \t]*[:#]))[ \t]*#?$/i;
// "Card on file for this order: 4532…", "Payment reference: 4532…": a card word shortly before the number
// says what it is, whatever other label stands next to it.
const CARD_WORD = /(?<![a-z0-9])(?:cards?|visa|master ?card|amex|cc|credit|debit|pan|payment)(?![a-z0-9])/i;
const LABEL_REACH = 40;

function labelledAsOtherIdentifier(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - LABEL_REACH), start);
  return OTHER_IDENTIFIER_LABEL.test(before) && !CARD_WORD.test(before);
}

export const creditCardRecognizer = () =>
  patternRecognizer({
    name: "credit_card",
    type: "CREDIT_CARD",
    regex: CANDIDATE,
    evaluate(match, text) {
      // A no-break space and a space are the same separator to the reader, so not a mix.
      const raw = toAsciiSeparators(match[0]);
      const separators = raw.replace(/\d/g, "");
      if (separators.length > 0 && new Set(separators).size > 1) return null;
      // One dot is how a decimal number looks ("5105.105105105100"); a card split by dots has its groups.
      if (separators === ".") return null;
      const digits = raw.length - separators.length;
      if (digits < 13 || digits > 19 || !ISSUER.test(raw) || !luhn(raw)) return null;
      if (labelledAsOtherIdentifier(text, match.index)) return null;
      if (isTestCardInTestingText(raw.replace(/\D/g, ""), text, match.index, match.index + match[0].length)) return null;
      return whole(match, 0.9);
    },
    context: {
      positive: ["card", "credit", "visa", "mastercard", "amex", "cc", "payment", "pay", "charged", "debit"],
      negative: ["order", "tracking", "invoice", "isbn", "serial", "sku", "confirmation", "imei", "reference", "ref"],
    },
  });
