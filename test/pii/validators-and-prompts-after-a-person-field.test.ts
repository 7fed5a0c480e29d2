/**
 * After a person's field or a name label, a library's validator and a form's prompt stood where a name would
 * and went to the cloud as one: `lastName: Joi.string()` as `<PERSON_1>.string()`, `first_name: Enter your
 * first name` as `<PERSON_1> your first name`. A name there, also one followed by running text, is still masked.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("validators and prompts after a person's field", () => {
  it.each([
    ["lastName: Joi.string().required(), firstName: Joi.string()"],
    ["lastName: Yup.string().required()"],
    ["const schema = { lastName: Zod.string(), firstName: Faker() }"],
    ["first_name: Enter your first name"],
    ['{"firstName": "Please enter your first name", "lastName": "Type your surname here"}'],
    ["Last name: Please provide it in capitals"],
    ["Sort by last name: Ascending"],
  ])("are left as written: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });

  it.each([
    ["first_name: Okonkwo (legal name)", "first_name: <PERSON_1> (legal name)"],
    ["Last name: Okonkwo. Please call back.", "Last name: <PERSON_1>. Please call back."],
    ['"lastName": "Okonkwo", "note": "Please enter the rest"', '"lastName": "<PERSON_1>", "note": "Please enter the rest"'],
    ["first name: Zofia and her brother", "first name: <PERSON_1> and her brother"],
    ["last_name: Okonkwo.smith is her login", "last_name: <PERSON_1>.smith is her login"],
  ])("still mask a name there: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
