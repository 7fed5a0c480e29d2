/**
 * A lone form value of a name with the middle initial A or I (`name=Mary+A+Jones`): the form reading
 * refused A and I as initials (they are words: `Mark+A+Task`), so the value was read with its `+` and
 * only the first name was found: `name=<PERSON_1>+A+Jones`, the surname sent, while the same name in
 * prose (`name: Mary A Jones`) is masked whole. The value is now read as a form's, and the name
 * recognizer decides about A and I as in prose (an initial only before a surname its lexicon knows).
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a lone form value of a name with the initial A or I", () => {
  it.each([
    ["name=Mary+A+Jones", "name=<PERSON_1>"],
    ["name=John+I+Smith", "name=<PERSON_1>"],
    ["curl -d contact_name=Mary+A+Jones", "curl -d contact_name=<PERSON_1>"],
  ])("%j is masked whole, as in prose", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("is masked as the same name written in prose", () => {
    expect(cloudTextOf(sanitizer, "name: Mary A Jones")).toBe("name: <PERSON_1>");
  });
});
