import { NATIONAL_ID_TYPES } from "./entity.js";
import { decodedValue } from "./decode.js";
import { normalizedValue } from "./normalize.js";
import { withIdnaDots } from "./idna-dots.js";

const NATIONAL_IDS: ReadonlySet<string> = new Set(NATIONAL_ID_TYPES);

/**
 * One spelling per value, so a value written two ways is one entity: `4111 1111 1111 1111` and
 * `4111-1111-1111-1111` get one placeholder in a conversation (the cloud model must not take them
 * for two cards) and one hash within a tenant (a join key must not depend on formatting).
 * Only separators and letter case are dropped, where they never change what the value means, and
 * full-width forms, invisible characters and escapes are read as the recognizers read them
 * (normalize.ts, decode.ts).
 *
 * @example canonicalValue("CREDIT_CARD", "4111-1111 1111.1111") // "4111111111111111"
 */
export function canonicalValue(type: string, written: string): string {
  // "４１１１…" and "4\u200b111…" are the card "4111…" to anyone reading them, the cloud model included.
  // So are "ann.lee%40example.com" and "ann.lee\u0040example.com" the address "ann.lee@example.com".
  const value = normalizedValue(decodedValue(written));
  // "HH 01 23 45 D", "hh012345d" and "X-2482300-W" are written with or without separators, in either case.
  if (NATIONAL_IDS.has(type)) return value.replace(/[^\p{L}\p{N}]+/gu, "").toUpperCase();
  switch (type) {
    case "CREDIT_CARD":
    case "US_SSN":
      return value.replace(/\D+/g, "");
    case "PHONE_NUMBER":
      // The leading + stays: +46 8 574 21 13 and (468) 574-2113 are two countries' numbers.
      return value.trimStart().startsWith("+") ? `+${value.replace(/\D+/g, "")}` : value.replace(/\D+/g, "");
    case "IBAN_CODE":
    case "MAC_ADDRESS":
      return value.replace(/[^\p{L}\p{N}]+/gu, "").toUpperCase();
    case "EMAIL_ADDRESS":
      // Mail systems treat local parts case-insensitively in practice; domains are so by definition, and
      // `example。jp` is `example.jp` (IDNA).
      return withIdnaDots(value).toLowerCase();
    case "IP_ADDRESS":
      return value.includes(":") ? value.toLowerCase() : value.replace(/\b0+(?=\d)/g, "");
    default:
      return value;
  }
}
