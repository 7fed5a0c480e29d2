import { countrySpecs } from "ibantools";
import { iban } from "../validators.js";
import { patternRecognizer } from "./pattern.js";

// Country, check digits, then 11-30 alphanumerics, optionally in groups of four; in either case, as
// people type them ("de89 3704 …") as often as banks print them.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g;

/**
 * IBAN_CODE, checked with ibantools after upper-casing: mod-97 and the country's exact length and
 * format keep lower-case words and hashes out. A group glued on after the IBAN ("… 00 THEN",
 * "… 00 then") is trimmed off.
 */
export const ibanRecognizer = () =>
  patternRecognizer({
    name: "iban",
    type: "IBAN_CODE",
    regex: CANDIDATE,
    evaluate(match) {
      let candidate = match[0];
      // Lower-case text has many more "ab12 …" runs than IBANs; those of no IBAN country cost one lookup.
      if (!countrySpecs[candidate.slice(0, 2).toUpperCase()]?.chars) return null;
      for (;;) {
        if (iban(candidate.toUpperCase())) return { start: match.index, end: match.index + candidate.length, score: 1 };
        const lastSpace = candidate.lastIndexOf(" ");
        if (lastSpace < 15) return null;
        candidate = candidate.slice(0, lastSpace);
      }
    },
    context: { positive: ["iban", "bank", "account", "transfer", "wire", "sepa"] },
  });
