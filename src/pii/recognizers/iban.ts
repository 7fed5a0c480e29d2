import { countrySpecs } from "ibantools";
import { iban } from "../validators.js";
import { patternRecognizer } from "./pattern.js";
import { HYPHENS, toAsciiSeparators } from "./separators.js";

// Country, check digits, then 11-30 alphanumerics, optionally in groups split by spaces or by hyphens
// ("DE89-3704-…", Unicode dashes too: "DE89–3704–…"), one kind per IBAN; in either case, as people type
// them ("de89 3704 …") as often as banks print them.
const CANDIDATE = new RegExp(`(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}(?:(?: ?[A-Za-z0-9]){11,30}|(?:[${HYPHENS}]?[A-Za-z0-9]){11,30})(?![A-Za-z0-9])`, "g");

/**
 * IBAN_CODE, checked with ibantools after upper-casing: mod-97 and the country's exact length and
 * format keep lower-case words and hashes out. A group glued on after the IBAN ("… 00 THEN",
 * "… 00 then", "…-00-2024") is left off.
 */
export const ibanRecognizer = () =>
  patternRecognizer({
    name: "iban",
    type: "IBAN_CODE",
    regex: CANDIDATE,
    evaluate(match) {
      // Same length as the match: an en dash reads as a hyphen.
      const candidate = toAsciiSeparators(match[0]);
      // Lower-case text has many more "ab12 …" runs than IBANs; those of no IBAN country cost one lookup.
      const length = countrySpecs[candidate.slice(0, 2).toUpperCase()]?.chars;
      if (!length) return null;
      // The country fixes the length, so one prefix of the candidate can be its IBAN: the one holding
      // exactly that many characters, ending where a group does. Checked once, since a rejected
      // candidate is tried again from inside (see retryInsideRejected below).
      const end = endOfNth(candidate, length);
      if (end === undefined || !iban(candidate.slice(0, end).toUpperCase())) return null;
      return { start: match.index, end: match.index + end, score: 1 };
    },
    context: { positive: ["iban", "bank", "account", "transfer", "wire", "sepa"] },
    // A candidate is at most 64 characters: "ab12 to GB82 WEST …" is rejected as a whole, and its IBAN is in it.
    retryInsideRejected: true,
  });

/** Where the `n`th alphanumeric of the candidate ends, if a group (or the candidate) ends there too. */
function endOfNth(candidate: string, n: number): number | undefined {
  let seen = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c === 0x20 || c === 0x2d) continue;
    if (++seen === n) return i + 1 === candidate.length || candidate.charCodeAt(i + 1) === 0x20 || candidate.charCodeAt(i + 1) === 0x2d ? i + 1 : undefined;
  }
  return undefined;
}
