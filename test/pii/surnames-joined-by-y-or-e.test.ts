/**
 * Spanish and Portuguese names may join two surnames with "y" or "e" ("Maria Gonzalez y Perez", "Maria Silva e
 * Santos"). A name ended before the joiner, and the surname after it went to the cloud model as written ("Ask
 * <PERSON_1> y Perez"). A name now goes on through " y " or " e " when the word after it is a surname the lexicon
 * knows, or, after a surname it knows, a word it knows as nothing else: "José Ortega y Gasset" went out as
 * "<PERSON_1> y Gasset" while the lexicon did not know Gasset. Common words, first names, places, firms' words
 * ("y Compañía", "e Hijos") and the first word of a longer title stay out of the name.
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

  it.each([
    ["Ask Jose Ortega y Gasset today", "Ask <PERSON_1> today"],
    ["Ask José Ortega y Gasset about it", "Ask <PERSON_1> about it"],
    ["Ask Jose Ortega y Gasset Lopez today", "Ask <PERSON_1> today"],
    ["Ask Lucia Herrera y Zubizarreta's file", "Ask <PERSON_1> file"],
    ["Ask Lucia Herrera e\nZubizarreta today", "Ask <PERSON_1> today"],
  ])("and a surname the lexicon does not know after a known surname and the joiner: %j", (text, expected) => {
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
    ["Ask Peter Johnson y Compañía today", "Ask <PERSON_1> y Compañía today"],
    ["Ask Peter Smith e Hijos today", "Ask <PERSON_1> e Hijos today"],
    ["Ask Maria Gonzalez y Asociados today", "Ask <PERSON_1> y Asociados today"],
    ["Ask Maria Gonzalez y Pedro today", "Ask <PERSON_1> y <PERSON_2> today"],
    ["Ask Maria Gonzalez y Kubernetes Engine", "Ask <PERSON_1> y Kubernetes Engine"],
    // After a given name alone the joiner joins no surname: "y" there is as often "and".
    ["Ask Maria y Gasset today", "Ask <PERSON_1> y Gasset today"],
  ])("but no word the lexicon knows as something else, nor one after a word it does not know as a surname: %j", (text, expected) => {
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
