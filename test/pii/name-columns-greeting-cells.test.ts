/**
 * A greeting or sign-off under a table ("Thanks, Sales Team") must not be read as a row of names, but
 * a greeting inside a row is data: a salutation column ("Dear,Maria,Kowalska") or a note ("Hi there")
 * ended the table, and every surname after it went out as written.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("greetings in and under a table of names", () => {
  it("masks the names of rows with a salutation column", () => {
    expect(cloudTextOf(sanitizer, "salutation,first_name,last_name\nDear,Ilona,Wrzosek\nDear,Piotr,Zawadzki")).toBe(
      "salutation,first_name,last_name\nDear,<PERSON_1>,<PERSON_2>\nDear,<PERSON_3>,<PERSON_4>",
    );
  });

  it("masks the names of rows with a note that opens like a greeting", () => {
    expect(cloudTextOf(sanitizer, "notes,first_name,last_name\nPlease call back,Ilona,Wrzosek\nNote: VIP,Piotr,Zawadzki")).toBe(
      "notes,first_name,last_name\nPlease call back,<PERSON_1>,<PERSON_2>\nNote: VIP,<PERSON_3>,<PERSON_4>",
    );
  });

  it("goes on past a greeting in the first name column", () => {
    const cloud = cloudTextOf(sanitizer, "first_name,last_name,notes\nIlona,Wrzosek,x\nHi there,Zawadzki,y\nZofia,Wierzbicka,z");
    expect(cloud).not.toContain("Wierzbicka");
    expect(cloud).not.toContain("Wrzosek");
  });

  it("leaves a sign-off under the table as written", () => {
    expect(cloudTextOf(sanitizer, "first_name,last_name\nIlona,Wrzosek\nThanks, Sales Team")).toBe(
      "first_name,last_name\n<PERSON_1>,<PERSON_2>\nThanks, Sales Team",
    );
  });
});
