/**
 * Test fixtures and redacted exports fill a table's name columns with placeholders ("TBD", "N.N.",
 * "Redacted", "Customer"): replacing them with pseudonyms mangled the fixture a user asked about,
 * while a surname that is also a word (Baker, Smith, Young, King) is still someone's name.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("placeholders in a name column", () => {
  it.each([
    ["roles and test words", "first_name,last_name,role\nAdmin,Test,qa\nCustomer,Account,ops\nSupport,Staff,ops"],
    ["to-be-decided and unknown", "first_name,last_name\nTBD,TBD\nN.N.,N.N.\nN/A,-\nnull,Unknown\nTBA,Pending"],
    ["redacted exports", "| Surname | First Name |\n|---|---|\n| Redacted | Redacted |\n| Deleted | Anonymized |"],
  ])("are left as written: %s", (_label, text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });

  it("masks surnames that are words too, and the real name beside a placeholder", () => {
    expect(cloudTextOf(sanitizer, "first_name,last_name\nWill,Baker\nHope,Smith\nRose,Young\nGrace,King\nTBD,Wojcik")).toBe(
      "first_name,last_name\n<PERSON_1>,<PERSON_2>\n<PERSON_3>,<PERSON_4>\n<PERSON_5>,<PERSON_6>\n<PERSON_7>,<PERSON_8>\n<PERSON_9>,<PERSON_10>",
    );
  });

  // Placeholder words are surnames too: beside a real given name, they are someone's name.
  it.each([
    ["Christopher,Guest", "<PERSON_1>,<PERSON_2>"],
    ["Ingrid,Root", "<PERSON_1>,<PERSON_2>"],
    ["Hamid,Service", "<PERSON_1>,<PERSON_2>"],
    ["Elodie,Staff", "<PERSON_1>,<PERSON_2>"],
  ])("masks a placeholder word beside a real name: %s", (row, masked) => {
    expect(cloudTextOf(sanitizer, `first_name,last_name\n${row}`)).toBe(`first_name,last_name\n${masked}`);
  });
});
