/**
 * A name whose surname follows lower-case particles ("Ludwig van Beethoven", "Maria de la Cruz") or a middle
 * initial written without its full stop ("John D Smith") is one name. The particles and the bare initial end
 * the run of capitalised words the recognizer reads, so only the given name was found and the surname went to
 * the cloud model as written.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name with particles or a bare initial before its surname", () => {
  it.each([
    ["Contact Ludwig van Beethoven about it.", "Contact <PERSON_1> about it."],
    ["Patient: Maria de la Cruz, DOB 1980", "Patient: <PERSON_1>, DOB 1980"],
    ["Dear Vincent van Gogh,", "Dear <PERSON_1>,"],
    ["cc: Leonardo da Vinci", "cc: <PERSON_1>"],
    ["Ask Anna van der Meer for the keys", "Ask <PERSON_1> for the keys"],
    ["Contract signed by Carlos dos Santos yesterday", "Contract signed by <PERSON_1> yesterday"],
    ["name: John D Smith", "name: <PERSON_1>"],
    ["Please forward this to Maria J Gonzalez.", "Please forward this to <PERSON_1>."],
    // After a particle a common word is still a surname; spaces other than one are still spaces.
    ["Contact Pieter van den Berg today", "Contact <PERSON_1> today"],
    ["Contact Maria van Dam", "Contact <PERSON_1>"],
    ["Contact Maria de Young", "Contact <PERSON_1>"],
    ["Contact Ludwig  van Beethoven today", "Contact <PERSON_1> today"],
    ["Contact Ludwig van\tBeethoven today", "Contact <PERSON_1> today"],
    // Particles written capitalised are in the run already, but are none of the name's three words.
    ["Patient Maria De La Cruz arrived", "Patient <PERSON_1> arrived"],
    ["Ask Anna Van Der Meer for the keys", "Ask <PERSON_1> for the keys"],
  ])("%j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    // A particle before a word in lower case, a common word or a place is no surname (and "Maria" alone at the
    // start of a sentence is too weak a name to be reported).
    ["Ask John to de-duplicate the rows", "Ask <PERSON_1> to de-duplicate the rows"],
    ["Ask Maria de facto, she runs the team", "Ask <PERSON_1> de facto, she runs the team"],
    ["Ask Maria I Love the new design", "Ask <PERSON_1> I Love the new design"],
    ["Ask Maria de Paris", "Ask <PERSON_1> de <LOCATION_1>"],
    // "A" and "I" are words, not initials.
    ["Ask Peter A Kubernetes question", "Ask <PERSON_1> A Kubernetes question"],
    ["Thanks Mike A Lot for the fix", "Thanks <PERSON_1> A Lot for the fix"],
  ])("but not before a word that is no surname: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
