/**
 * A lone `key=value` pair whose value is a name joined by `+` is read as a form's field only when its
 * key is two characters or more, as a one-letter key is code's variable (`x=Alice+Bob`). But `q`, the
 * query of nearly every search form, is quoted without its `?` in logs and questions
 * (`q=Maria+Gonzalez`), and there the name was not found at all and went to the cloud. `q` is now a key a
 * lone pair may have; other one-letter keys are still code's.
 */
import { describe, expect, it } from "vitest";
import { formValues } from "../../src/pii/decode-form.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a search's q=… without its ?", () => {
  it.each([
    ["q=Maria+Gonzalez", "q=<PERSON_1>"],
    ["The log shows q=Maria+Gonzalez and no results.", "The log shows q=<PERSON_1> and no results."],
    ["curl -d q=Maria+Gonzalez&", "curl -d q=<PERSON_1>&"],
    ['params: "q=Maria+de+la+Cruz"', 'params: "q=<PERSON_1>"'],
  ])("%j does not send the name", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});

describe("other one-letter keys are still code's variables", () => {
  it.each(["x=Alice+Bob", "s=Maria+Gonzalez", "q=a+b", "q=Price+tax", "qq=a+b"])("%j", (text) => {
    expect(formValues(text)).toEqual([]);
  });

  it("and find nothing where nothing is", () => {
    for (const text of ["x=Alice+Bob", "let q=a+b; q=C++", "q=Quarterly+Report"]) expect(found(engine, text)).toEqual([]);
  });
});
