/**
 * After lower-case particles a name goes on through the surnames the lexicon knows ("Maria de la Cruz Gonzalez
 * Perez"), but such a surname was looked up as written: possessive ("Gonzalez’s", "Gonzalez's") or hyphenated
 * ("Perez-Gonzalez") it was no word the lexicon knows, and after two spaces or a tab it was not read at all, so
 * it went to the cloud model as written ("Ask <PERSON_1> Gonzalez’s file"). The `'s` is now dropped for the
 * lookup (the placeholder takes it in, as it does a capitalised run's last word: "Maria Gonzalez Perez's"), a
 * hyphenated word is a surname when each part is one, and spaces or tabs may stand before it as before the
 * particles' surname.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a surname the lexicon knows after a name's particles", () => {
  it.each([
    ["Ask Maria de la Cruz Gonzalez’s file", "Ask <PERSON_1> file"],
    ["Ask Maria de la Cruz Gonzalez's file", "Ask <PERSON_1> file"],
    ["Ask Maria de la Cruz Gonzalez Perez’s file", "Ask <PERSON_1> file"],
    ["Ask Maria de la Cruz Perez-Gonzalez today", "Ask <PERSON_1> today"],
    ["Ask Maria de la Cruz Perez-Gonzalez's file", "Ask <PERSON_1> file"],
    ["Ask Maria de la Cruz Gonzalez  Perez", "Ask <PERSON_1>"],
    ["Ask Maria de la Cruz Gonzalez\tPerez today", "Ask <PERSON_1> today"],
    ["Ask Maria de la Cruz Gonzalez\u00a0Perez today", "Ask <PERSON_1> today"],
  ])("%j goes out as one placeholder", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("as the capitalised run's last word does, the possessive's 's is in the placeholder", () => {
    expect(cloudTextOf(sanitizer, "Ask Maria Gonzalez Perez's file")).toBe("Ask <PERSON_1> file");
  });

  it("and restores as written", () => {
    const vault = new PseudonymVault();
    const text = "Ask Maria de la Cruz Perez-Gonzalez’s file today.";
    expect(restore(cloudTextOf(sanitizer, text, vault), vault)).toBe(text);
  });

  it.each([
    // Words that are no surnames stay out, possessive, hyphenated or after two spaces.
    ["Ask Maria de la Cruz  Release Notes", "Ask <PERSON_1>  Release Notes"],
    ["Ask Maria de la Cruz Gonzalez  Release Notes", "Ask <PERSON_1>  Release Notes"],
    ["Ask Maria de la Cruz Gonzalez's Release Notes", "Ask <PERSON_1> Release Notes"],
    ["Ask Maria de la Cruz Customer-Support today", "Ask <PERSON_1> Customer-Support today"],
    ["Ask Maria de la Cruz Support's queue", "Ask <PERSON_1> Support's queue"],
    // A line break ends the name: the next line's heading is no surname of it.
    ["Ask Maria de la Cruz\nPerez Report", "Ask <PERSON_1>\nPerez Report"],
  ])("but a name stops at words that are no surnames: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
