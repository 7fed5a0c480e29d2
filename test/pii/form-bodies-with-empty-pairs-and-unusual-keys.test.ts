/**
 * A form body joined by `;` was read as one only when its first two pairs' keys started with a letter or
 * `_`, right after the first `;`. A key starting with a digit (`2fa=ok`) or a percent-escape (`%6Eame`),
 * or an empty pair (`user=1;;name=…`, and `&&` in an `&`-joined body), made it no form: its values' `+`
 * stayed pluses and half the name went out (`name=<PERSON_1>+Gonzalez`). Form parsers skip empty pairs and
 * take any key, so now does the reading; code with semicolons (`for(i=0;;j=a+b)`) is still no form.
 */
import { describe, expect, it } from "vitest";
import { formValues } from "../../src/pii/decode-form.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a form body with an empty pair or a key that starts with no letter", () => {
  it.each([
    ["user=1;;name=Maria+Gonzalez", "user=1;;name=<PERSON_1>"],
    ["user=1;2fa=ok;name=Maria+Gonzalez", "user=1;2fa=ok;name=<PERSON_1>"],
    ["2fa=ok;name=Maria+Gonzalez", "2fa=ok;name=<PERSON_1>"],
    ["a=1;%6Eame=Maria+Gonzalez", "a=1;%6Eame=<PERSON_1>"],
    ["user=1&&name=Maria+Gonzalez", "user=1&&name=<PERSON_1>"],
    ["Why is this body rejected? user=1;;name=Maria+Gonzalez;lang=en", "Why is this body rejected? user=1;;name=<PERSON_1>;lang=en"],
  ])("%j does not send the name", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});

describe("semicolons and ampersands that still join no form's pairs", () => {
  it.each(["for(i=0;;j=a+b)", "x=1;;", "a=1;;b+c", "x=1;&&y+z", "C++;;a=b"])("%j", (text) => {
    expect(formValues(text)).toEqual([]);
  });
});
