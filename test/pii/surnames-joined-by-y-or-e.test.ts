/**
 * Spanish and Portuguese names may join two surnames with "y" or "e" ("Maria Gonzalez y Perez", "Maria Silva e
 * Santos"). A name ended before the joiner, and the surname after it went to the cloud model as written ("Ask
 * <PERSON_1> y Perez"). A name now goes on through " y " or " e " when the word after it is a surname the lexicon
 * knows (so "José Ortega y Gasset" is taken whole only once the lexicon knows Gasset); other capitalised words
 * after a joiner stay out of the name.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("surnames joined by y or e", () => {
  it.each([
    ["Ask Maria Gonzalez y Perez today", "Ask <PERSON_1> today"],
    ["Ask Maria Silva e Santos today", "Ask <PERSON_1> today"],
    ["Ask Maria de la Cruz y Gonzalez today", "Ask <PERSON_1> today"],
    ["Ask Maria Gonzalez y Perez's file", "Ask <PERSON_1> file"],
    ["Ask Maria Gonzalez y Perez-Lopez today", "Ask <PERSON_1> today"],
    // The joiner then particles and their surname (review: "e dos Santos" went out as written).
    ["Ask Maria Silva e dos Santos today", "Ask <PERSON_1> today"],
    ["Ask Maria Silva e da Costa today", "Ask <PERSON_1> today"],
    ["Ask Maria Gonzalez y de la Cruz today", "Ask <PERSON_1> today"],
  ])("%j goes out as one placeholder", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and restores as written", () => {
    const vault = new PseudonymVault();
    const text = "Ask Maria Silva e Santos about the invoice.";
    expect(restore(cloudTextOf(sanitizer, text, vault), vault)).toBe(text);
  });

  it.each([
    ["Ask Maria Gonzalez y Release Notes", "Ask <PERSON_1> y Release Notes"],
    ["Ask Maria Gonzalez e Customer Support", "Ask <PERSON_1> e Customer Support"],
    ["Ask Kwame Brandt e Paris", "Ask <PERSON_1> e <LOCATION_1>"],
  ])("but no word the lexicon does not know as a surname: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  // A joiner cannot end a name: the text wrapped after it, and the surname on the next line went out as written.
  it.each([
    ["Ask Maria Gonzalez y\nPerez today", "Ask <PERSON_1> today"],
    ["Ask Maria Gonzalez y \r\n  Perez today", "Ask <PERSON_1> today"],
    ["Ask Maria Silva e\ndos Santos today", "Ask <PERSON_1> today"],
    ["Ask Maria Gonzalez y\nRelease Notes", "Ask <PERSON_1> y\nRelease Notes"],
  ])("and through a line break right after the joiner: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
