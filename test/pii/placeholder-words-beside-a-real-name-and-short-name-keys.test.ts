/**
 * A surname that is also a placeholder's word (Guest, Root) went to the cloud in clear beside a real first name,
 * and the short keys fname/lname (f_name/l_name) were not read as a person's field at all. A record made only of
 * placeholders stays a fixture's, and "fname" ending another word's key (a file name's) is no person's field.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("placeholder words beside a real name in one record", () => {
  it.each([
    ['{"first_name":"Christopher","last_name":"Guest"}', '{"first_name":"<PERSON_1>","last_name":"<PERSON_2>"}'],
    ['{"first_name": "Ada", "last_name": "Root"}', '{"first_name": "<PERSON_1>", "last_name": "<PERSON_2>"}'],
    ["first_name: Christopher\nlast_name: Guest", "first_name: <PERSON_1>\nlast_name: <PERSON_2>"],
  ])("masks both: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['{"first_name":"Test","last_name":"User"}', '{"first_name":"Test","last_name":"User"}'],
    ['{"first_name": "Guest", "last_name": "Account"}', '{"first_name": "Guest", "last_name": "Account"}'],
    ["first_name: Admin\nlast_name: Root", "first_name: Admin\nlast_name: Root"],
    // Two records: a real name in the first does not make the second's placeholders names.
    [
      '[{"first_name":"Christopher","last_name":"Lee"},{"first_name":"Test","last_name":"Guest"}]',
      '[{"first_name":"<PERSON_1>","last_name":"<PERSON_2>"},{"first_name":"Test","last_name":"Guest"}]',
    ],
  ])("leaves a record of placeholders: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});

describe("fname, lname, f_name and l_name as whole keys", () => {
  it.each([
    ["fname=Anna&lname=Kowalska", "fname=<PERSON_1>&lname=<PERSON_2>"],
    ["f_name=anna&l_name=kowalska", "f_name=<PERSON_1>&l_name=<PERSON_2>"],
    ['<input name="lname" value="Kowalska">', '<input name="lname" value="<PERSON_1>">'],
    ['{"fname": "Anna", "lname": "Kowalska"}', '{"fname": "<PERSON_1>", "lname": "<PERSON_2>"}'],
  ])("masks the value: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    "pathfname=Report Final",
    'dst_fname = "Quarterly Summary"',
    "lnames=Alpha Beta",
    '{"first_name":"FNAME","last_name":"LNAME"}',
  ])("leaves other keys and a column map alone: %s", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
