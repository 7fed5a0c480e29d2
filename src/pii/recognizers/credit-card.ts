import { contextMatcher } from "../context.js";
import { luhn } from "../validators.js";
import { patternRecognizer } from "./pattern.js";
import { isTestCardInTestingText } from "./published-test-cards.js";
import { consistentSeparator, HYPHENS, isWide, joinsARange, separatorsOf, SPACES, WIDE_SEPARATOR } from "./separators.js";

// 13-19 digits, optionally in groups split by one space, dash or dot (no-break spaces and Unicode
// dashes included) or a wider separator (double spaces, a tab, " - ", a line break), not glued to other
// digits, nor to a dotted number around it ("1.5555.…", "….4444.1").
const CANDIDATE = new RegExp(
  `(?<![\\w${HYPHENS}]|\\d\\.)[2-6]\\d{3}(?:(?:${WIDE_SEPARATOR}|[${SPACES}${HYPHENS}.])?\\d){9,15}(?!\\w|\\.\\d)`,
  "g",
);
// How cards are printed: groups of four (19 digits end in three), or Amex's and Diners' 4-6-5 and 4-6-4.
// A number split by wider separators must be grouped so: a table's columns of numbers rarely are.
const CARD_GROUPING = /^(?:4,4,4,4(?:,[1-3])?|4,6,[45])$/;
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

/** The digits of `number` (digit groups and separators) when they are a card's, by shape, issuer and Luhn. */
function cardDigits(number: string): string | null {
  // A no-break space and a space, or an en dash and a hyphen, are the same separator to the reader, so not a mix.
  const separators = separatorsOf(number);
  const separator = consistentSeparator(separators);
  if (separator === null || joinsARange(number, separators.length)) return null;
  // One dot is how a decimal number looks ("5105.105105105100"); a card split by dots has its groups.
  if (separators.length === 1 && separator === ".") return null;
  const groups = number.match(/\d+/g) ?? [];
  if (isWide(separators) && !CARD_GROUPING.test(groups.map((g) => g.length).join(","))) return null;
  const digits = groups.join("");
  return digits.length >= 13 && digits.length <= 19 && ISSUER.test(digits) && luhn(digits) ? digits : null;
}

// A number split by wider separators (a run of spaces, a tab, a spaced dash, a line break) is how tables line
// up their columns too: a row of four 4-digit cells passes Luhn one time in ten. Such a number is a card only
// with a card word nearby ("card 4111  1111  1111  1111", "card number: 4111 1111\n1111 1111").
const WIDE_CARD_CONTEXT = contextMatcher({
  positive: ["card", "cards", "credit", "debit", "visa", "mastercard", "master card", "amex", "cc", "pan", "payment", "kreditkarte", "karte", "carte", "cartes", "carte bancaire", "tarjeta"],
});
// The cell of a table row on the line a wrapped number would start on: the line holds one bare token before
// the number ("North 4100 3900"; a label ends in ":" or "#", or is a card word), or a tab, or ends in a number.
const ROW_LABEL = /^[ \t]*[\p{L}\d][\p{L}\d_.-]*[ \t]+$/u;
const CELL_BEFORE = /\t|\d[ \t]*$/;
// Another cell after a wrapped number on its second line: a tab, an aligned run of spaces, or another number.
const CELL_AFTER = /^(?:\t|[ ]{2,}\S|[ \t]+\d)/;

/**
 * Whether a number that runs over a line break [start, end) sits in lines that carry other columns, as a
 * two-column table's rows do ("North 4100 3900\n4630 5260 South"): then it is no wrapped card.
 */
function inTableRows(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const before = text.slice(lineStart, start);
  if (CELL_BEFORE.test(before)) return true;
  if (ROW_LABEL.test(before) && !WIDE_CARD_CONTEXT.supports(before, before.length, before.length)) return true;
  const lineEnd = text.indexOf("\n", end);
  return CELL_AFTER.test(text.slice(end, lineEnd < 0 ? text.length : lineEnd));
}

const LINE_BREAK = new RegExp(`[${HYPHENS}]?[ \\t]*\\r?\\n`);

/**
 * The card a candidate holds from its start: all of it, or, when a card is whole before a line break,
 * that line's part, so a card does not run on into the numbers of the next line.
 */
function cardAtStartOf(candidate: string): { length: number; digits: string } | null {
  const lineBreak = candidate.search(LINE_BREAK);
  const firstLine = lineBreak > 0 ? cardDigits(candidate.slice(0, lineBreak)) : null;
  if (firstLine !== null) return { length: lineBreak, digits: firstLine };
  const digits = cardDigits(candidate);
  return digits === null ? null : { length: candidate.length, digits };
}

export const creditCardRecognizer = () =>
  patternRecognizer({
    name: "credit_card",
    type: "CREDIT_CARD",
    regex: CANDIDATE,
    evaluate(match, text) {
      const card = cardAtStartOf(match[0]);
      if (!card) return null;
      const start = match.index;
      const end = start + card.length;
      if (labelledAsOtherIdentifier(text, start)) return null;
      const number = match[0].slice(0, card.length);
      if (isWide(separatorsOf(number)) && !WIDE_CARD_CONTEXT.supports(text, start, end)) return null;
      if (number.includes("\n") && inTableRows(text, start, end)) return null;
      if (isTestCardInTestingText(card.digits, text, start, end)) return null;
      return { start, end, score: 0.9 };
    },
    // A candidate that runs over a line break may start with the last number of the line before
    // ("2024\n4111 1111 …"): a rejected one is tried again from its next group. At most 19 digits: bounded.
    retryInsideRejected: (candidate) => candidate.includes("\n"),
    context: {
      positive: ["card", "credit", "visa", "mastercard", "amex", "cc", "payment", "pay", "charged", "debit"],
      negative: ["order", "tracking", "invoice", "isbn", "serial", "sku", "confirmation", "imei", "reference", "ref"],
    },
  });
