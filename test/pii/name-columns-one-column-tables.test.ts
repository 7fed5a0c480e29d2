/**
 * A one-column export (a header line naming a person's field, then one name a line) was not read as a
 * table, as its header holds no delimiter: "surname\nWRZOSEK\nZawadzki" went out as written, no name rule
 * of running text reading a lone surname. A line that is a person's field alone now heads such a column,
 * read to a blank line, a sentence, or another field's label (a form's fields listed one a line).
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a table of one name column", () => {
  it.each([
    ["surname\nWRZOSEK\nZawadzki", "surname\n<PERSON_1>\n<PERSON_2>"],
    ["last_name\r\nWrzosek\r\nZawadzki\r\n", "last_name\r\n<PERSON_1>\r\n<PERSON_2>\r\n"],
    ["Here they are:\nCustomer Last Name\nWrzosek\nde la Cruz\n\nThanks", "Here they are:\nCustomer Last Name\n<PERSON_1>\n<PERSON_2>\n\nThanks"],
  ])("masks each name under %j", (text, cloud) => {
    expect(cloudTextOf(sanitizer, text)).toBe(cloud);
  });

  it.each([
    ["a sentence under the label", "last_name\nThe surname as printed on the passport."],
    ["a form's fields one a line", "First Name\nLast Name\nEmail\nPhone"],
    ["a heading over prose", "### last_name\nRequired. Maximum length 50."],
    ["an indented column list in SQL", "SELECT\n  last_name\nFROM USERS"],
    ["placeholders", "last_name\nTest\nAdmin"],
  ])("leaves %s as written", (_, text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
