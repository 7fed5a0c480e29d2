/**
 * A line of prose written right under a table, with no blank line between, splits at its commas like a
 * row and may be as wide as one: "Done with Sales, Zofia" under "first_name,last_name" had "Done with
 * Sales" pseudonymized as a first name. A name cell with a lower-case word that is no particle reads as a
 * sentence, not a name: the table ends there, and the names above and the ones the sentence holds are
 * judged as usual.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("prose right under a table of names", () => {
  it.each([
    ["a remark as wide as the table", "first_name,last_name\nIlona,Wrzosek\nDone with Sales, Zofia", "Done with Sales"],
    ["a request as wide as the table", "first_name,last_name\nIlona,Wrzosek\nLet me know, Thanks", "Let me know, Thanks"],
    ["a remark under a pipe table", "| first_name | last_name |\n|---|---|\n| Ilona | Wrzosek |\nShip them | Monday", "Ship them | Monday"],
  ])("leaves %s as written", (_, text, prose) => {
    const cloud = cloudTextOf(sanitizer, text);
    expect(cloud).toContain(prose);
    expect(cloud).not.toContain("Wrzosek");
  });

  it("still masks names with particles and joiners in a full row", () => {
    const cloud = cloudTextOf(sanitizer, "first_name,last_name\nIlona,Wrzosek\nMaria,de la Cruz y Gasset\nTeodor,Zawadzki");
    expect(cloud).not.toMatch(/Wrzosek|Cruz|Gasset|Zawadzki/u);
  });

  it("goes on past a lower-case placeholder in a name cell", () => {
    const cloud = cloudTextOf(sanitizer, "first_name,last_name\nIlona,Wrzosek\nn/a,unknown\nTeodor,Zawadzki");
    expect(cloud).not.toContain("Zawadzki");
  });
});
