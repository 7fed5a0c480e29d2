/**
 * A form value is read with its `+` as spaces in a query or a body of two pairs or more; a lone
 * `key=value` was read like code's `a=b+c`, so `contact_name=Elena+Tanaka` went out as
 * `contact_name=<PERSON_1>+Tanaka`: the first name known, the surname sent. A half-redacted name is worse
 * than either reading, so a lone pair whose value is two or more capitalised words joined by `+` (as
 * `curl -d` and log lines write one field of a form) is read as a form value; other lone pairs keep
 * their `+`: `a=b+c`, `x=a+b`, `total=price+tax`, `C++`, `1+1=2`.
 */
import { describe, expect, it } from "vitest";
import { formValues } from "../../src/pii/decode-form.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a lone pair whose value is capitalised words joined by + is a form value", () => {
  it.each([
    ["body: contact_name=Elena+Tanaka", "body: contact_name=<PERSON_1>"],
    ["Why does curl -X POST -d contact_name=Elena+Tanaka return 400?", "Why does curl -X POST -d contact_name=<PERSON_1> return 400?"],
    ['The request had "full_name=Kwame+Brandt".', 'The request had "full_name=<PERSON_1>".'],
    ["log: name=Mary-Jane+O'Brien+Walsh", "log: name=<PERSON_1>"],
    ["name=Jos%C3%A9+Garc%C3%ADa", "name=<PERSON_1>"],
  ])("%j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and restores as the name, the same person as the name written plainly", () => {
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, "body: contact_name=Elena+Tanaka, and Elena Tanaka called again", vault)).toBe(
      "body: contact_name=<PERSON_1>, and <PERSON_1> called again",
    );
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Elena Tanaka!");
  });
});

describe("other lone pairs keep their +", () => {
  it.each([
    "a=b+c",
    "x=a+b",
    "total=price+tax",
    "C++ and 1+1=2",
    "x=A+B",
    "sum=Price+tax",
    "label=Total+42",
    "path=/wiki/C++",
    "tel=+14155550132",
    "=Elena+Tanaka",
    "/people/name=Elena+Tanaka",
    "name=Elena+Tanaka=x",
    "#name=Elena+Tanaka",
  ])("%j", (text) => {
    expect(formValues(text)).toEqual([]);
  });

  it("and find nothing where there is nothing", () => {
    for (const text of ["Run: total=price+tax; count = n+1", "x=A+B and a=b+c", "Set title=Quarterly+Report then export"]) {
      expect(found(engine, text)).toEqual([]);
    }
  });

  it("a lone pair of capitalised words that name nobody is read, and stays as written", () => {
    expect(decodeEscapes("Set title=Quarterly+Report then export")?.text).toBe("Set title=Quarterly Report then export");
    expect(cloudTextOf(sanitizer, "Set title=Quarterly+Report then export")).toBe("Set title=Quarterly+Report then export");
  });
});
