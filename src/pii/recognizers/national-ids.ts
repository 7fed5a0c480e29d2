/**
 * National identity and tax numbers of the countries whose phone formats the default policy reads (GB,
 * DE, FR, ES, IT, NL, IN, CA, AU; the US SSN has its own recognizer), checked by the `stdnum` library's
 * validators (check letters and digits, valid prefixes and dates). Entity names follow Presidio's where it
 * has one (UK_NINO, ES_NIF, ES_NIE, IT_FISCAL_CODE, IN_PAN, IN_AADHAAR, AU_TFN).
 *
 * A shape with letters and a check (a DNI's letter, a codice fiscale) is rare in other text, so it is
 * found on its own. A bare run of digits that passes a check digit is not: about one random number in ten
 * passes (one in 97 for the French NIR), so those need a word about the number nearby ("BSN", "SIN",
 * "Steuer-ID", "Aadhaar") to pass the default threshold.
 */
import * as auTfn from "stdnum/lib/cjs/au/tfn.js";
import * as caSin from "stdnum/lib/cjs/ca/sin.js";
import * as deIdnr from "stdnum/lib/cjs/de/idnr.js";
import * as esDni from "stdnum/lib/cjs/es/dni.js";
import * as esNie from "stdnum/lib/cjs/es/nie.js";
import * as frNir from "stdnum/lib/cjs/fr/nir.js";
import * as gbNino from "stdnum/lib/cjs/gb/nino.js";
import * as inAadhaar from "stdnum/lib/cjs/in/aadhaar.js";
import * as inPan from "stdnum/lib/cjs/in/pan.js";
import * as itCodiceFiscale from "stdnum/lib/cjs/it/codicefiscale.js";
import * as nlBsn from "stdnum/lib/cjs/nl/bsn.js";
import { contextMatcher, nearby } from "../context.js";
import type { NationalIdType } from "../entity.js";
import { lineBefore } from "./lines.js";
import { forEachMatch } from "./matches.js";
import { oneByteMatcher } from "./one-byte-matches.js";
import type { Recognizer } from "./recognizer.js";

interface NationalId {
  type: NationalIdType;
  /** The written forms, with the separators people use; the match, separators dropped, goes to `validate`. */
  shape: string;
  /**
   * Forms taken only beside a label: spaced or dashed in ways that, unlabelled, read as a number and a
   * word ("Facturas 54362315 K y …") or as something else.
   */
  labelledShape?: string;
  validate(candidate: string): { isValid: boolean };
  /** Without a label nearby; a bare check-digit number scores below the default threshold of 0.5. */
  score: number;
  /**
   * Words that label the number, in the languages it is written in; also matched as field names
   * (`bsn_nummer`, `aadhaarNumber`, `taxFileNumber`).
   */
  labels: readonly string[];
  /** Labels that are ordinary words in lower case ("sin" is Spanish for "without"): capitals only. */
  acronyms?: readonly string[];
  /** Letters in lower case too, when labelled ("CF: rccmnl83s18d969h"); unlabelled, only capitals are read. */
  lowerCaseWhenLabelled?: boolean;
  /** Unlabelled, whether the number is something else after all (a memory size): such are dropped. */
  somethingElse?(text: string, start: number, end: number, value: string): boolean;
}

// What these numbers are mistaken for, when nothing labels them as an identity number.
const NEGATIVE = [
  "order", "invoice", "tracking", "ticket", "ref", "reference", "part", "serial", "sku", "product", "code", "model", "version",
  "batch", "lot", "phone", "tel", "fax", "account", "iban", "imei", "voucher", "coupon", "promo", "container", "booking",
  "confirmation", "pedido", "factura", "referencia", "bestellung", "rechnung", "auftrag", "commande", "facture", "ordine",
  "fattura", "bestelling", "factuur",
];

const NATIONAL_IDS: readonly NationalId[] = [
  {
    type: "UK_NINO",
    shape: "[A-CEGHJ-PR-TW-Z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]",
    labelledShape: "[A-CEGHJ-PR-TW-Z]{2}-\\d{2}-\\d{2}-\\d{2}-[A-D]",
    validate: gbNino.validate,
    score: 0.5,
    labels: ["national insurance", "nino", "ni number", "ni no"],
    lowerCaseWhenLabelled: true,
  },
  {
    type: "ES_NIF",
    // 54362315K, 54362315-K, 54.362.315-K. Unlabelled, a letter after a space is a word ("45098406 y") and a
    // lower-case one glued to the digits a unit ("16777279k total").
    shape: "(?:\\d{8}|\\d{2}\\.\\d{3}\\.\\d{3})-?[A-Z]",
    labelledShape: "(?:\\d{8}|\\d{2}\\.\\d{3}\\.\\d{3})(?: [A-Z]|[a-z])",
    validate: esDni.validate,
    score: 0.5,
    labels: ["dni", "nif", "documento nacional", "identidad"],
    somethingElse: isMemorySize,
  },
  {
    type: "ES_NIE",
    shape: "[XYZxyz]-?\\d{7}-?[A-Za-z]",
    labelledShape: "[XYZ] ?\\d{7} ?[A-Z]",
    validate: esNie.validate,
    score: 0.6,
    labels: ["nie", "extranjero", "extranjería", "identidad"],
  },
  {
    type: "IT_FISCAL_CODE",
    // Digits may be replaced by letters (omocodia) when two people share a code.
    shape: "[A-Z]{6}[\\dLMNP-V]{2}[ABCDEHLMPRST][\\dLMNP-V]{2}[A-Z][\\dLMNP-V]{3}[A-Z]",
    validate: itCodiceFiscale.validate,
    score: 0.85,
    labels: ["codice fiscale", "cf", "c.f", "fiscal code", "tessera sanitaria"],
    lowerCaseWhenLabelled: true,
  },
  {
    type: "IN_PAN",
    shape: "[A-Z]{3}[ABCFGHLJPT][A-Z]\\d{4}[A-Z]",
    validate: inPan.validate,
    // No check character: five capitals, four digits and a capital is also a log message's id
    // ("CWOAU0061E"), a barcode or a coupon, so a PAN needs its label.
    score: 0.3,
    labels: ["permanent account number", "income tax", "pan card", "pan number", "pan no"],
    acronyms: ["PAN"],
    lowerCaseWhenLabelled: true,
  },
  {
    type: "FR_NIR",
    // One separator throughout: spaced as on the card, dashed, or none (the two-digit key may stand apart).
    shape: "[12](?: \\d{2} \\d{2} (?:\\d{2}|2[AB]) \\d{3} \\d{3} |-\\d{2}-\\d{2}-(?:\\d{2}|2[AB])-\\d{3}-\\d{3}-|\\d{4}(?:\\d{2}|2[AB])\\d{6} ?)\\d{2}",
    validate: frNir.validate,
    score: 0.4,
    labels: ["sécurité sociale", "securite sociale", "sécu", "secu", "nir", "insee", "carte vitale", "social security", "n° ss", "numéro ss"],
  },
  {
    type: "DE_TAX_ID",
    shape: "[1-9]\\d(?: ?\\d{3}){3}",
    validate: deIdnr.validate,
    score: 0.3,
    labels: ["steuer-id", "steuerid", "steuer id", "steueridentifikationsnummer", "identifikationsnummer", "idnr", "tax id", "steuernummer"],
    acronyms: ["TIN"],
  },
  {
    type: "NL_BSN",
    shape: "\\d{4}\\.\\d{2}\\.\\d{3}|\\d{3}(?: \\d{3} |-\\d{3}-|\\d{3})\\d{3}",
    validate: nlBsn.validate,
    score: 0.3,
    labels: ["bsn", "burgerservicenummer", "burgerservice", "sofinummer"],
  },
  {
    type: "CA_SIN",
    shape: "\\d{3}(?: \\d{3} |-\\d{3}-|\\d{3})\\d{3}",
    validate: caSin.validate,
    score: 0.3,
    labels: ["social insurance", "assurance sociale"],
    acronyms: ["SIN"],
  },
  { type: "AU_TFN", shape: "\\d{3}(?: \\d{3} |-\\d{3}-|\\d{3})\\d{2,3}", validate: auTfn.validate, score: 0.3, labels: ["tfn", "tax file"] },
  {
    type: "IN_AADHAAR",
    shape: "[2-9]\\d{3}(?: \\d{4} |-\\d{4}-|\\d{4})\\d{4}",
    validate: inAadhaar.validate,
    score: 0.3,
    labels: ["aadhaar", "aadhar", "uidai", "आधार"],
  },
];

/** Found beside a label: a label's score, whatever other field names are near ("BSN: 111222333, tel: …"). */
const LABELLED_SCORE = 0.8;
// How far a label is looked for: before the number, or after it as in "111222333 (BSN)".
const LABEL_BEFORE = 48;
const LABEL_AFTER = 24;
// The longest number written out (a spaced NIR): a lower-case form is looked for this far around a label.
const LONGEST = 24;

// Not inside a longer word or number, after a decimal point ("3.123456782") or a word and a dash
// ("build-88884126-M"). A comma separates CSV fields ("Jan,7,111222333"); see isDecimalFraction.
const BEFORE = String.raw`(?<![\p{L}\p{N}_]|\d\.|[\p{L}\p{N}]-)`;
const AFTER = String.raw`(?![\p{L}\p{N}_]|[.-]\d)`;
// A test that is cheap for the regex engine and spares the look-behind at most positions (the shapes'
// pass over 10 KB took 40% less): every shape starts with an ASCII letter or digit, and BEFORE refuses a
// word character before it, so a word boundary is implied. Not in a case-blind Unicode pattern, where
// `\b` costs more than it saves. (Not before labels: `customer_bsn` is labelled, and `_b` is no boundary.)
const boundary = (flags: string) => (flags.includes("i") && flags.includes("u") ? "" : "\\b");

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The labels of `ids`, as prose and as field names (tax_file_number, taxFileNumber). Plain /i, not /iu: a
 * Unicode case-blind pass costs several times as much, and the labels' few accented letters fold without it.
 */
function labelsRegex(ids: readonly NationalId[], flags: string): RegExp {
  const words = ids.flatMap(({ labels }) => labels.map((label) => escape(label).replace(/ /g, "[\\s_-]*")));
  const field = `(?:${words.join("|")})(?:[\\s_-]*(?:number|nummer|numero|número|no|nr|id))?`;
  return new RegExp(`(?<![A-Za-z0-9À-ÿ])${field}(?![A-Za-z0-9À-ÿ])`, `${flags}i`);
}

// Acronyms that are also Spanish words, written in capitals on receipts and signs: "PRECIOS SIN IVA"
// ("prices without VAT"). Before another word in capitals they label nothing, unless it is a word a
// label takes ("SIN NUMBER", "SIN CARD").
const SPANISH_IN_CAPITALS = new Set(["SIN"]);
const LABEL_WORDS_AFTER = "NUMBER|NO|NR|NUM|NUMERO|NUMÉRO|CARD|DETAILS|OF|HOLDER|ID";

/**
 * Labels that are words in lower case, matched in capitals only ("SIN", not Spanish "sin"), or in lower
 * case as a field's name: a key (`"sin": …`, `sin: …`, `sin = "…"`) or a CSV/TSV header's column
 * (`employee_id, sin, start`), not in a list in prose ("pan, leche y huevos").
 */
function acronymsRegex(ids: readonly NationalId[], flags: string): RegExp {
  const words = ids.flatMap(({ acronyms = [] }) => acronyms);
  const inCapitals = words.map((word) =>
    SPANISH_IN_CAPITALS.has(word) ? `${word}(?![A-Za-z0-9]|[ \\t]+(?!(?:${LABEL_WORDS_AFTER})(?![A-Z]))[A-ZÀ-Þ]{2,})` : `${word}(?![A-Za-z0-9])`,
  );
  const lower = words.map((word) => word.toLowerCase()).join("|");
  // The word first, then what stands around it: a look-behind first would be tried at every position.
  // Tested on the text before a number, which ends at the `=` or `:`.
  const key = `(?=["']?[ \\t]*[:=])`;
  const column = `(?<=(?:^|[\\n"']|[,;\\t][ \\t]*)(?:${lower}))(?=["']?[ \\t]*(?:[,;\\t]|\\r?\\n|$))`;
  const asFieldName = `(?:${lower})(?:${key}|${column})`;
  return new RegExp(`(?<![A-Za-z0-9])(?:${inCapitals.join("|")}|${asFieldName})`, flags);
}

/** Every kind's shape in one pattern; a match is then tried against each kind's own (a 9-digit number is a BSN, a SIN and a TFN). */
function shapesRegex(ids: readonly NationalId[], flags: string): RegExp {
  const shapes = ids.flatMap(({ shape, labelledShape }) => (labelledShape ? [shape, labelledShape] : [shape]));
  return new RegExp(`${boundary(flags)}${BEFORE}(?:${shapes.join("|")})${AFTER}`, flags);
}

/** Every kind's written forms in one pattern, capitals only. */
export const NATIONAL_ID_SHAPES = shapesRegex(NATIONAL_IDS, "gu");

// Memory sizes are digits glued to K, M or G, and K, M and G are DNI letters. A JVM's GC log writes
// them as transitions ("16777233K->1048576K(14680064K)"); `free`, `top` and heap printouts as columns,
// several sizes to a line ("Mem: 16777279K total, 15832456K used", "total 45098421K, used 8388608K").
const UNIT_LETTER = /[KMG]$/;
const SIZE_TRANSITION = /\d[KMG]->\d/;
const MEMORY_LINE = /^\s*(?:[KMG]iB )?(?:Mem|Swap):/;
const SIZE_COLUMN_WORD = /\b(?:total|used|free|avail|available|buff|cache|shared|rss|vsz|res|virt)\b/i;
const SIZE = /\d[KMG](?![A-Za-z0-9])/g;
const LINE_REACH = 80;

function isMemorySize(text: string, start: number, end: number, value: string): boolean {
  if (!UNIT_LETTER.test(value)) return false;
  const after = text.slice(end, end + LINE_REACH);
  const newline = after.indexOf("\n");
  const line = lineBefore(text, start, LINE_REACH) + value + (newline < 0 ? after : after.slice(0, newline));
  if (SIZE_TRANSITION.test(line) || MEMORY_LINE.test(line)) return true;
  return SIZE_COLUMN_WORD.test(line) && (line.match(SIZE)?.length ?? 0) >= 2;
}

/**
 * "0,289895500": a decimal's fraction, in the languages that write a decimal comma, not a CSV field after
 * a row's 0 (pandas' index column starts the line: `0,111222333`; a field is followed by another: `…,0,111222333,Ana`).
 * Only digits: a number ending in a letter is no fraction.
 */
function isDecimalFraction(text: string, start: number, end: number, value: string): boolean {
  if (text[start - 1] !== "," || text[start - 2] !== "0" || !/^[\d .-]+$/.test(value)) return false;
  const beforeZero = text[start - 3];
  if (beforeZero === undefined || beforeZero === "\n" || /[\d.,;\t]/.test(beforeZero)) return false;
  return !/[,;\t]/.test(text[end] ?? "");
}

/**
 * A failed check throws inside stdnum, and an Error's stack trace costs more than the check: about 7 µs
 * each, so a text of 10,000 wrong numbers would spend most of the scan budget on traces nobody reads.
 */
function passes(validate: NationalId["validate"], candidate: string): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return validate(candidate.replace(/[\s.-]/g, "")).isValid;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * National identity and tax numbers, all kinds in one pass over the text (one pass for the shapes, one for
 * the labels): eleven kinds scanned one by one cost more than all other recognizers but the phone one.
 * `threshold` is the policy's for each type: a number scoring under it without a label nearby is dropped
 * whatever its check digits say, so it is not checked at all.
 */
export function nationalIdRecognizer(threshold: (type: string) => number): Recognizer {
  const kinds = NATIONAL_IDS.map((id) => ({
    ...id,
    exact: new RegExp(`^(?:${id.shape})$`, id.lowerCaseWhenLabelled ? "i" : ""),
    labelledExact: id.labelledShape ? new RegExp(`^(?:${id.labelledShape})$`, id.lowerCaseWhenLabelled ? "i" : "") : null,
    label: labelsRegex([id], ""),
    acronym: id.acronyms ? acronymsRegex([id], "") : null,
    needsLabel: id.score < threshold(id.type),
  }));
  const shapes = oneByteMatcher(NATIONAL_ID_SHAPES);
  const lowerCaseKinds = kinds.filter((kind) => kind.lowerCaseWhenLabelled);
  const lowerCaseShapes = shapesRegex(lowerCaseKinds, "giu");
  const lowerCaseLabels = [labelsRegex(lowerCaseKinds, "g"), acronymsRegex(lowerCaseKinds.filter((kind) => kind.acronyms), "g")];
  const negative = contextMatcher({ negative: NEGATIVE });
  const labelNear = (kind: (typeof kinds)[number], text: string, start: number, end: number) =>
    nearby(kind.label, text, start, end, LABEL_BEFORE, LABEL_AFTER) || nearby(kind.acronym, text, start, end, LABEL_BEFORE, LABEL_AFTER);

  return {
    name: "national_ids",
    scan(text, out, deadline) {
      const consider = (start: number, value: string, lowerCase: boolean) => {
        const end = start + value.length;
        if (isDecimalFraction(text, start, end, value)) return;
        for (const kind of kinds) {
          if (lowerCase && !kind.lowerCaseWhenLabelled) continue;
          const usual = kind.exact.test(value);
          if (!usual && !kind.labelledExact?.test(value)) continue;
          const labelled = labelNear(kind, text, start, end);
          if (!labelled && (lowerCase || kind.needsLabel || !usual || kind.somethingElse?.(text, start, end, value))) continue;
          if (!passes(kind.validate, value)) continue;
          const score = labelled ? LABELLED_SCORE : negative.adjust(text, start, end, kind.score);
          if (score > 0) out.push({ type: kind.type, start, end, score });
        }
      };
      shapes(text, deadline, (m) => consider(m.index, m[0], false));

      // Lower-case codes only near a label of theirs: the case-blind pass costs several times the other, so
      // it reads each label's stretch of text, not the whole text.
      const windows: [number, number][] = [];
      for (const labels of lowerCaseLabels) {
        forEachMatch(labels, text, deadline, (l) => windows.push([Math.max(0, l.index - LABEL_AFTER - LONGEST), l.index + l[0].length + LABEL_BEFORE + LONGEST]));
      }
      let scannedTo = 0;
      for (const [from, to] of windows.sort((a, b) => a[0] - b[0])) {
        // Two characters more on each side, so the pattern's boundary checks see the text around it.
        const sliceStart = Math.max(0, from - 2, scannedTo - 2);
        const piece = text.slice(sliceStart, Math.min(text.length, to + 2));
        forEachMatch(lowerCaseShapes, piece, deadline, (m) => {
          const at = sliceStart + m.index;
          if (at >= Math.max(from, scannedTo) && m[0] !== m[0].toUpperCase()) consider(at, m[0], true);
        });
        scannedTo = Math.max(scannedTo, to);
      }
    },
  };
}
