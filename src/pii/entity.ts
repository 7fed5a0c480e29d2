/**
 * What the PII engine finds. Entity names follow Microsoft Presidio's where one exists, so policies and
 * dashboards read the same as in other tools.
 */
import { z } from "zod";

/** Identity and tax numbers of other countries than the US (recognizers/national-ids.ts). */
export const NATIONAL_ID_TYPES = [
  "UK_NINO",
  "ES_NIF",
  "ES_NIE",
  "IT_FISCAL_CODE",
  "IN_PAN",
  "IN_AADHAAR",
  "FR_NIR",
  "DE_TAX_ID",
  "NL_BSN",
  "CA_SIN",
  "AU_TFN",
] as const;
export type NationalIdType = (typeof NATIONAL_ID_TYPES)[number];

export const BUILTIN_ENTITY_TYPES = [
  "EMAIL_ADDRESS",
  "PHONE_NUMBER",
  "CREDIT_CARD",
  "US_SSN",
  ...NATIONAL_ID_TYPES,
  "IBAN_CODE",
  "IP_ADDRESS",
  "URL",
  "MAC_ADDRESS",
  "CRYPTO",
  "DATE_TIME",
  "PERSON",
  "LOCATION",
  "SECRET",
] as const;
export type BuiltinEntityType = (typeof BUILTIN_ENTITY_TYPES)[number];

/** Custom recognizers in the policy may introduce new type names; they must look like the built-in ones. */
export const EntityTypeName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,39}$/, "must be 1-40 upper-case letters, digits or underscores, starting with a letter");

/** `start`/`end` are UTF-16 offsets into the scanned string (what `String.prototype.slice` takes). */
export const EntitySchema = z.object({
  type: z.string(),
  start: z.int().min(0),
  end: z.int().min(0),
  score: z.number().min(0).max(1),
});
export type Entity = z.infer<typeof EntitySchema>;

export function isBuiltinType(type: string): type is BuiltinEntityType {
  return (BUILTIN_ENTITY_TYPES as readonly string[]).includes(type);
}
