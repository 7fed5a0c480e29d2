import { iban } from "../validators.js";
import { patternRecognizer } from "./pattern.js";

// Country, check digits, then 11-30 alphanumerics, optionally in groups of four.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;

/** IBAN_CODE, checked with ibantools. A group glued on after the IBAN ("… 00 THEN") is trimmed off. */
export const ibanRecognizer = () =>
  patternRecognizer({
    name: "iban",
    type: "IBAN_CODE",
    regex: CANDIDATE,
    evaluate(match) {
      let candidate = match[0];
      for (;;) {
        if (iban(candidate)) return { start: match.index, end: match.index + candidate.length, score: 1 };
        const lastSpace = candidate.lastIndexOf(" ");
        if (lastSpace < 15) return null;
        candidate = candidate.slice(0, lastSpace);
      }
    },
    context: { positive: ["iban", "bank", "account", "transfer", "wire", "sepa"] },
  });
