/**
 * A row whose first-name cell opens like a greeting ("Hi there", "Hey") was left whole, so its surname
 * went to the cloud as written ("Hi there,Zawadzki,y"). A sign-off is a table's last line: a greeting
 * row followed by more rows, or in a pipe table (prose has no pipes), is data, and its other name cells
 * are masked; the greeting word itself, and a sign-off under the table, stay as written.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("surnames in a row that opens with a greeting word", () => {
  it("masks the surname of a greeting row inside a CSV table", () => {
    expect(cloudTextOf(sanitizer, "first_name,last_name,notes\nIlona,Wrzosek,x\nHi there,Zawadzki,y\nZofia,Wierzbicka,z")).toBe(
      "first_name,last_name,notes\n<PERSON_1>,<PERSON_2>,x\nHi there,<PERSON_3>,y\n<PERSON_4>,<PERSON_5>,z",
    );
  });

  it("masks the surname of a greeting row in a pipe table, last row too", () => {
    expect(cloudTextOf(sanitizer, "| first_name | last_name |\n|---|---|\n| Ilona | Wrzosek |\n| Hey | Zawadzki |")).toBe(
      "| first_name | last_name |\n|---|---|\n| <PERSON_1> | <PERSON_2> |\n| Hey | <PERSON_3> |",
    );
  });

  it("leaves a greeting above the table and a sign-off under it as written", () => {
    expect(cloudTextOf(sanitizer, "Hi team, here it is:\nfirst_name,last_name\nIlona,Wrzosek\nThanks, Sales Team")).toBe(
      "Hi team, here it is:\nfirst_name,last_name\n<PERSON_1>,<PERSON_2>\nThanks, Sales Team",
    );
  });
});
