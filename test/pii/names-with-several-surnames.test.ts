/**
 * Spanish and Portuguese names carry two surnames or more, often after particles: "Maria de la Cruz Gonzalez
 * Perez", "Maria Gonzalez Perez Lopez". A name took three capitalised words, or one surname after its particles,
 * and the surnames after those went to the cloud model as written ("Ask <PERSON_1> Perez"). A name now goes on
 * through the surnames the lexicon knows (eight words at most, particles not counted: at six, the seventh word
 * of "Maria Elena Gonzalez Perez Lopez Garcia Martinez" went out); other capitalised words after a name stay out
 * of it.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name with several surnames", () => {
  it.each([
    ["Ask Maria de la Cruz Gonzalez Perez", "Ask <PERSON_1>"],
    ["Ask Maria de la Cruz Gonzalez Perez about the invoice.", "Ask <PERSON_1> about the invoice."],
    ["Patient Maria De La Cruz Gonzalez Perez arrived", "Patient <PERSON_1> arrived"],
    ["Ask Maria Gonzalez Perez Lopez to sign", "Ask <PERSON_1> to sign"],
    ["cc: Ana da Silva dos Santos Oliveira", "cc: <PERSON_1>"],
    ["Please write to Cruz Gonzalez Perez today", "Please write to <PERSON_1> today"],
    // Seven and eight words, particles not counted.
    ["Ask Maria Elena Gonzalez Perez Lopez Garcia Martinez today", "Ask <PERSON_1> today"],
    ["Ask Ana Maria de los Angeles Gonzalez Perez Lopez y Garcia today", "Ask <PERSON_1> today"],
    ["Ask Maria Clara Antunes Pereira da Silva Santos Oliveira Costa today", "Ask <PERSON_1> today"],
  ])("%j goes out whole as one placeholder", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and restores as written", () => {
    const vault = new PseudonymVault();
    const text = "Ask Maria de la Cruz Gonzalez Perez about the invoice.";
    expect(restore(cloudTextOf(sanitizer, text, vault), vault)).toBe(text);
  });

  it.each([
    // Capitalised words that are no surnames the lexicon knows stay out of a name, and start none.
    ["I read The Lord of the Rings Fellowship yesterday", "I read The Lord of the Rings Fellowship yesterday"],
    ["Ask Maria de la Cruz Customer Support", "Ask <PERSON_1> Customer Support"],
    ["Ask Maria de la Cruz Gonzalez Release Notes", "Ask <PERSON_1> Release Notes"],
    ["Ask Maria de la Cruz Street Market", "Ask <PERSON_1> Street Market"],
  ])("but a name stops at words that are no surnames: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
