/**
 * A surname typed in lower case and written bare after a person's field, as YAML and log lines write it
 * (`last_name: kowalska`), went to the cloud as written: bare values in lower case were all taken for code
 * (`last_name: lastName`). Such a value is now masked when it is a name's shape and no word of it is one
 * the lexicon knows as anything but a name: types, rules, variables and sentences stay.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("lower-case bare values under a person's field", () => {
  it.each([
    ["last_name: wrzosek", "last_name: <PERSON_1>"],
    ["user:\n  first_name: ksawera\n  last_name: wrzosek\n", "user:\n  first_name: <PERSON_1>\n  last_name: <PERSON_2>\n"],
    ["INFO signup ok last_name: zawadzka, plan: pro", "INFO signup ok last_name: <PERSON_1>, plan: pro"],
    ["{first_name: maria, last_name: de la cruz}", "{first_name: <PERSON_1>, last_name: <PERSON_2>}"],
    ["<last_name>wrzosek</last_name>", "<last_name><PERSON_1></last_name>"],
  ])("masks %j", (text, cloud) => {
    expect(cloudTextOf(sanitizer, text)).toBe(cloud);
  });

  it.each([
    "last_name: string",
    "last_name: required",
    "last_name: str",
    "last_name: varchar(50)",
    "last_name: null",
    "last_name: lastName",
    "last_name: last_name",
    "lastName: never;",
    "last_name: sortable",
    "first_name: sensitive\nlast_name: personal",
    "last_name: notblank",
    "lastName: maxlength",
    "last_name: this field is required",
    "first_name: given\nlast_name: family",
    "last_name: ln",
    "<last_name>string</last_name>",
    "User(first_name=maria)",
  ])("leaves types, rules and code as written: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
