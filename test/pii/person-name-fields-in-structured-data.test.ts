/**
 * A person's name under its field in structured data pasted into a message (JSON, a Python dict, a form
 * body, XML, code) is masked as it is after "last_name: " in text. The quotes, `=` or `>` between the key
 * and the value hid the label: `{"last_name":"Kowalska"}` sent "Kowalska". A bare "name" field keeps
 * needing a name the lexicon knows: products, files and hosts have names too.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name under a person's field in structured data", () => {
  it.each([
    ['{"first_name":"Anna","last_name":"Kowalska"}', '{"first_name":"<PERSON_1>","last_name":"<PERSON_2>"}'],
    ['{"lastName": "Kowalska", "id": 7}', '{"lastName": "<PERSON_1>", "id": 7}'],
    ['{"passenger_name": "Kowalska"}', '{"passenger_name": "<PERSON_1>"}'],
    ['{"billing_last_name": "Okonkwo"}', '{"billing_last_name": "<PERSON_1>"}'],
    ["PATIENT_LAST_NAME=Okonkwo", "PATIENT_LAST_NAME=<PERSON_1>"],
    ["<ship-to-last-name>Okonkwo</ship-to-last-name>", "<ship-to-last-name><PERSON_1></ship-to-last-name>"],
    ['{"args": "{\\"last_name\\":\\"Kowalska\\"}"}', '{"args": "{\\"last_name\\":\\"<PERSON_1>\\"}"}'],
    ['last_name: "Kowalska"', 'last_name: "<PERSON_1>"'],
    ["const user = { lastName: 'Kowalska' };", "const user = { lastName: '<PERSON_1>' };"],
    ["{'first_name': 'Anna', 'surname': 'Kowalska'}", "{'first_name': '<PERSON_1>', 'surname': '<PERSON_2>'}"],
    ["first_name=Anna&last_name=Kowalska", "first_name=<PERSON_1>&last_name=<PERSON_2>"],
    ["<customer><family_name>Kowalska</family_name></customer>", "<customer><family_name><PERSON_1></family_name></customer>"],
    ['user.last_name = "Kowalska"', 'user.last_name = "<PERSON_1>"'],
  ])("%s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['{"file_name": "Report"}'],
    ['{"hostname": "Kowalska"}'],
    ['{"product_name": "Surface Pro"}'],
    ['{"event_name":"Black Friday"}'],
    ['name="Quarterly Review"'],
    ['{"display_name": "Contoso Marketing", "legal_name": "Acme Holdings"}'],
    ['{"product_display_name": "Surface Pro", "server_nickname": "Atlas"}'],
    ["last_name = Column(String)"],
    ["self.last_name = LastName"],
  ])("leaves a field that is not a person's alone: %s", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});

describe("a quoted name", () => {
  it("keeps its closing quote outside the placeholder, so the answer restores without a stray quote", () => {
    expect(cloudTextOf(sanitizer, "Write to 'Maria Gonzalez' today")).toBe("Write to '<PERSON_1>' today");
  });
});
