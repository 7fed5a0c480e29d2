/**
 * Compound given names written without a space ("MaryBeth", "JoAnn", "LeeAnn") have a camel hump, which
 * the person-field readers take for an identifier's (`MaxLength`, `NotBlank`): `first_name: "MaryBeth"`
 * went to the cloud as written. A hump between two given names the lexicon knows is a name's; any other
 * (an identifier, a field's own label) still is not.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("camel-case given names under a person's field", () => {
  it.each([
    ['first_name: "MaryBeth"', 'first_name: "<PERSON_1>"'],
    ['{"firstName": "JoAnn", "lastName": "Wrzosek"}', '{"firstName": "<PERSON_1>", "lastName": "<PERSON_2>"}'],
    ["first_name: LeeAnn\nlast_name: Nowak", "first_name: <PERSON_1>\nlast_name: <PERSON_2>"],
    ["given_name=MaryKate&family_name=Wrzosek", "given_name=<PERSON_1>&family_name=<PERSON_2>"],
    ['{"firstName": "DeShawn"}', '{"firstName": "<PERSON_1>"}'],
  ])("masks %j", (text, cloud) => {
    expect(cloudTextOf(sanitizer, text)).toBe(cloud);
  });

  it.each([
    'first_name: "MaxLength"',
    "first_name: MaxLength",
    '{"last_name": {"validate": "NotBlank"}}',
    'first_name: "FirstName"',
    '{"firstName": "maxLength"}',
    "lastName: MinSize(2)",
  ])("leaves identifiers and labels as written: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
