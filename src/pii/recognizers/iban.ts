import { countrySpecs } from "ibantools";
import { iban } from "../validators.js";
import { patternRecognizer } from "./pattern.js";

// Country, check digits, then 11-30 alphanumerics, optionally in groups split by spaces or by hyphens
// ("DE89-3704-…"), one kind per IBAN; in either case, as people type them ("de89 3704 …") as often as
// banks print them.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:(?: ?[A-Za-z0-9]){11,30}|(?:-?[A-Za-z0-9]){11,30})(?![A-Za-z0-9])/g;

/**
 * IBAN_CODE, checked with ibantools after upper-casing: mod-97 and the country's exact length and
 * format keep lower-case words and hashes out. A group glued on after the IBAN ("… 00 THEN",
 * "… 00 then", "…-00-2024") is trimmed off.
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
        // The regex allows one separator kind per candidate, so the last of either is the last group.
        const lastSeparator = Math.max(candidate.lastIndexOf(" "), candidate.lastIndexOf("-"));
        if (lastSeparator < 15) return null;
        candidate = candidate.slice(0, lastSeparator);
      }
    },
    context: { positive: ["iban", "bank", "account", "transfer", "wire", "sepa"] },
    // A candidate is at most 64 characters: "ab12 to GB82 WEST …" is rejected as a whole, and its IBAN is in it.
    retryInsideRejected: true,
  });
