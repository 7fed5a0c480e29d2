/**
 * Word processors write a hyphenated surname's hyphen as U+2010 (hyphen) or U+2011 (non-breaking hyphen), not
 * "-". A name's word stopped at such a hyphen, so "Maria Perez\u2011Gonzalez" went out as "<PERSON_1>\u2011Gonzalez":
 * both hyphens now join a name's parts as "-" does, in title case and in capitals, after particles and joiners.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const HYPHENS = [
  ["U+2010", "\u2010"],
  ["U+2011", "\u2011"],
] as const;

describe.each(HYPHENS)("a surname hyphenated with %s", (_, hyphen) => {
  it.each([
    [`Ask Maria Perez${hyphen}Gonzalez today`, "Ask <PERSON_1> today"],
    [`Ask Maria de la Cruz${hyphen}Gonzalez today`, "Ask <PERSON_1> today"],
    [`Ask Maria Gonzalez y Perez${hyphen}Lopez today`, "Ask <PERSON_1> today"],
    [`Ask Maria Gonzalez${hyphen}Perez's file`, "Ask <PERSON_1> file"],
    [`Ask Anne${hyphen}Marie Dubois today`, "Ask <PERSON_1> today"],
    [`SHIP TO: MARIA PEREZ${hyphen}GONZALEZ`, "SHIP TO: <PERSON_1>"],
  ])("%j goes out as one placeholder", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and restores as written", () => {
    const vault = new PseudonymVault();
    const text = `Ask Maria Perez${hyphen}Gonzalez about the invoice.`;
    expect(restore(cloudTextOf(sanitizer, text, vault), vault)).toBe(text);
  });
});

describe("hyphens of other words stay as they were", () => {
  it("a prefix in lower case before a product's name is no name", () => {
    expect(cloudTextOf(sanitizer, "The non\u2011Kafka Streams path")).toBe("The non\u2011Kafka Streams path");
  });
});
