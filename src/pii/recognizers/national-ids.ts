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
import { contextMatcher, type ContextWords } from "../context.js";
import type { NationalIdType } from "../entity.js";
import { patternRecognizer, whole } from "./pattern.js";
import type { Recognizer } from "./recognizer.js";

interface NationalId {
  type: NationalIdType;
  /** The written forms (with the separators people use); a whole-word match is checked by `validate`. */
  shape: string;
  validate(candidate: string): { isValid: boolean };
  /** Without context words; a bare check-digit number scores below the default threshold of 0.5. */
  score: number;
  context: readonly string[];
}

// What these numbers are mistaken for: the same words that lower an SSN or a card.
const NEGATIVE = ["order", "invoice", "tracking", "ticket", "ref", "reference", "part", "serial", "sku", "product", "code", "model", "version", "batch", "lot", "phone", "tel", "fax", "account", "iban", "imei"];

// Words about each number, in the languages it is written in.
const NATIONAL_IDS: readonly NationalId[] = [
  {
    type: "UK_NINO",
    shape: "[A-CEGHJ-PR-TW-Z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]",
    validate: gbNino.validate,
    score: 0.5,
    context: ["national insurance", "nino", "ni number", "ni no", "nin"],
  },
  { type: "ES_NIF", shape: "\\d{8}[ -]?[A-Za-z]", validate: esDni.validate, score: 0.5, context: ["dni", "nif", "documento nacional", "identidad"] },
  { type: "ES_NIE", shape: "[XYZxyz][ -]?\\d{7}[ -]?[A-Za-z]", validate: esNie.validate, score: 0.6, context: ["nie", "extranjero", "extranjería", "identidad"] },
  {
    type: "IT_FISCAL_CODE",
    // Digits may be replaced by letters (omocodia) when two people share a code.
    shape: "[A-Z]{6}[\\dLMNP-V]{2}[ABCDEHLMPRST][\\dLMNP-V]{2}[A-Z][\\dLMNP-V]{3}[A-Z]",
    validate: itCodiceFiscale.validate,
    score: 0.85,
    context: ["codice fiscale", "cf", "c.f", "fiscal code", "tessera sanitaria"],
  },
  {
    type: "IN_PAN",
    shape: "[A-Z]{3}[ABCFGHLJPT][A-Z]\\d{4}[A-Z]",
    validate: inPan.validate,
    score: 0.5,
    context: ["pan", "permanent account number", "income tax", "pan card"],
  },
  {
    type: "FR_NIR",
    shape: "[12] ?\\d{2} ?\\d{2} ?(?:\\d{2}|2[AB]) ?\\d{3} ?\\d{3} ?\\d{2}",
    validate: frNir.validate,
    score: 0.4,
    context: ["sécurité sociale", "securite sociale", "sécu", "secu", "nir", "insee", "carte vitale", "social security"],
  },
  {
    type: "DE_TAX_ID",
    shape: "[1-9]\\d(?: ?\\d{3}){3}",
    validate: deIdnr.validate,
    score: 0.3,
    context: ["steuer-id", "steuerid", "steuer id", "steueridentifikationsnummer", "identifikationsnummer", "idnr", "tin", "tax id", "steuernummer"],
  },
  {
    type: "NL_BSN",
    shape: "\\d{4}\\.\\d{2}\\.\\d{3}|\\d{9}",
    validate: nlBsn.validate,
    score: 0.3,
    context: ["bsn", "burgerservicenummer", "burgerservice", "sofinummer", "sofi"],
  },
  {
    type: "CA_SIN",
    shape: "\\d{3}([ -]?)\\d{3}\\1\\d{3}",
    validate: caSin.validate,
    score: 0.3,
    context: ["sin", "social insurance", "assurance sociale", "nas"],
  },
  { type: "AU_TFN", shape: "\\d{3} ?\\d{3} ?\\d{2,3}", validate: auTfn.validate, score: 0.3, context: ["tfn", "tax file"] },
  {
    type: "IN_AADHAAR",
    shape: "[2-9]\\d{3}([ -]?)\\d{4}\\1\\d{4}",
    validate: inAadhaar.validate,
    score: 0.3,
    context: ["aadhaar", "aadhar", "uidai", "uid"],
  },
];

/**
 * National identity and tax numbers, one recognizer per kind (a number may pass two kinds' checks).
 * `threshold` is the policy's for each type: a number scoring under it without a word about it nearby is
 * dropped whatever its check digits say, so it is not checked at all (the checks cost more than the scan).
 */
export function nationalIdRecognizers(threshold: (type: string) => number): Recognizer[] {
  return NATIONAL_IDS.map(({ type, shape, validate, score, context }) => {
    const words: ContextWords = { positive: context, negative: NEGATIVE };
    const needsContext = score < threshold(type);
    const about = contextMatcher(words);
    return patternRecognizer({
      name: type.toLowerCase(),
      type,
      // Not inside a longer word or number, nor after a decimal point ("3.123456782").
      regex: new RegExp(`(?<![\\p{L}\\p{N}_]|\\d[.,])(?:${shape})(?![\\p{L}\\p{N}_]|[.,-]\\d)`, "gu"),
      evaluate(m, text) {
        if (needsContext && !about.supports(text, m.index, m.index + m[0].length)) return null;
        return validate(m[0]).isValid ? whole(m, score) : null;
      },
      context: words,
    });
  });
}
