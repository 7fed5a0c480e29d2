/**
 * Tab-separated exports and pasted tables put a tab (or several spaces) between a name's words. A run of
 * capitalised words is joined by single spaces, so "Maria\tGonzalez\tPerez" ended at "Maria" and its surnames
 * went to the cloud as written. A name that ends its run now has the surnames the lexicon knows past a tab or
 * spaces masked too, and after a given name alone also a word the lexicon knows as nothing else
 * ("Beatriz\tCampos", as "Beatriz Campos" is read). Each cell is masked on its own, so a table keeps its columns.
 * After particles a tab was already read ("Maria\tde\tla\tCruz\tGonzalez" is one name).
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name with tabs between its words", () => {
  it.each([
    ["Ask Maria\tGonzalez\tPerez today", "Ask <PERSON_1>\t<PERSON_2>\t<PERSON_3> today"],
    ["Ask John\tSmith today", "Ask <PERSON_1>\t<PERSON_2> today"],
    ["Ask Maria Gonzalez\tPerez today", "Ask <PERSON_1>\t<PERSON_2> today"],
    ["Ask Maria  Gonzalez today", "Ask <PERSON_1>  <PERSON_2> today"],
    ["Ask Beatriz\tCampos today", "Ask <PERSON_1>\t<PERSON_2> today"],
    ["1042\tBeatriz\tCampos\tPayroll", "1042\t<PERSON_1>\t<PERSON_2>\tPayroll"],
    ["First Name\tSurname\tDept\nAnna\tKowalska\tSales", "First Name\tSurname\tDept\n<PERSON_1>\t<PERSON_2>\tSales"],
  ])("%j keeps no word of the name and its cells apart", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["Ask Maria\tde\tla\tCruz\tGonzalez today", "Ask <PERSON_1> today"],
    ["Ask Maria de la Cruz\tGonzalez today", "Ask <PERSON_1> today"],
  ])("%j, through particles, is one name as before", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and restores as written", () => {
    const vault = new PseudonymVault();
    const text = "id\tname\n17\tMaria\tGonzalez\tPerez\n";
    expect(restore(cloudTextOf(sanitizer, text, vault), vault)).toBe(text);
  });

  it("takes no column that is not a surname the lexicon knows", () => {
    expect(cloudTextOf(sanitizer, "Name\tCity\nMaria\tLondon")).toBe("Name\tCity\n<PERSON_1>\t<LOCATION_1>");
    expect(cloudTextOf(sanitizer, "Ask Maria\tRelease Notes")).toBe("Ask <PERSON_1>\tRelease Notes");
    expect(cloudTextOf(sanitizer, "Ask Maria\tKubernetes Engine")).toBe("Ask <PERSON_1>\tKubernetes Engine");
  });
});
