/**
 * A table pasted from a mail reply or a Markdown quote carries `>` before each line: the marks stuck to
 * the first cell, so "> first_name" was no header and "> Ignacy" no name, and the first column went to
 * the cloud as written.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a table quoted in a reply", () => {
  it.each([
    ["CSV after one mark", "> first_name,last_name\n> Ignacy,Wojcik\n> Oyelaran,Brzeczek", "> first_name,last_name\n> <PERSON_1>,<PERSON_2>\n> <PERSON_3>,<PERSON_4>"],
    ["TSV after two marks", ">> Surname\tDept\n>> Wojcik\tSales\n> > Brzeczek\tOps", ">> Surname\tDept\n>> <PERSON_1>\tSales\n> > <PERSON_2>\tOps"],
    ["a Markdown table in a quote", "> | Surname | team |\n> |---|---|\n> | Wojcik | Sales |", "> | Surname | team |\n> |---|---|\n> | <PERSON_1> | Sales |"],
  ])("%s", (_label, text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("keeps a TSV row's empty first cell", () => {
    expect(cloudTextOf(sanitizer, "id\tSurname\tDept\n\tWojcik\tSales")).toBe("id\tSurname\tDept\n\t<PERSON_1>\tSales");
  });
});
