/**
 * A form value is read with its `+` as spaces in a query or a body of two pairs or more; a lone
 * `key=value` was read like code's `a=b+c`, so `contact_name=Elena+Tanaka` went out as
 * `contact_name=<PERSON_1>+Tanaka`: the first name known, the surname sent. A half-redacted name is worse
 * than either reading, so a lone pair whose value is two or more capitalised words joined by `+` (as
 * `curl -d`, log lines and diffs write one field of a form) is read as a form value; other lone pairs
 * keep their `+`: `a=b+c`, `x=a+b`, `total=price+tax`, `C++`, `1+1=2`, and one-letter keys, code's
 * variables (`x=Alice+Bob`).
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
    // A diff's added or removed line, a shell or PHP variable, a percent-escape in the key.
    ["diff --git a/x b/x\n+name=Maria+Lopez", "diff --git a/x b/x\n+name=<PERSON_1>"],
    ["-contact_name=Elena+Tanaka", "-contact_name=<PERSON_1>"],
    ["body: $name=Elena+Tanaka", "body: $name=<PERSON_1>"],
    ["body: contact%5Fname=Elena+Tanaka", "body: contact%5Fname=<PERSON_1>"],
    // A lone `&` after it, any other punctuation, a quoted value.
    ["curl -d contact_name=Elena+Tanaka&", "curl -d contact_name=<PERSON_1>&"],
    ["header X-Name=Elena+Tanaka,foo", "header X-Name=<PERSON_1>,foo"],
    ['curl -d name="Elena+Tanaka"', 'curl -d name="<PERSON_1>"'],
    // A Mc surname, a capital percent-encoded.
    ["body: name=Mary+McDonald", "body: name=<PERSON_1>"],
    ["body: name=%C3%89lodie+Durand", "body: name=<PERSON_1>"],
  ])("%j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["name=John+D+Smith", "John+D+Smith"],
    ["name=John+D.+Smith", "John+D.+Smith"],
    ["name=Ludwig+van+Beethoven", "Ludwig+van+Beethoven"],
    ["name=Maria+de+la+Cruz", "Maria+de+la+Cruz"],
  ])("with an initial or a particle between its words: %j", (text, value) => {
    expect(formValues(text).map(([start, end]) => text.slice(start, end))).toEqual([value]);
  });

  // Read whole, the value is what `name: John D Smith` is written plainly, and the PERSON recognizer
  // finds only "John" in either (src/pii/recognizers): the initial and particle are its to learn.
  it.each(["body: name=John+D+Smith", "body: name=Ludwig+van+Beethoven", "body: name=Anna+dos+Santos", "body: name=Omar+ibn+Said", "body: name=Maria+della+Rosa", "body: name=Maria+De+La+Cruz"])("%j, with a bare initial or a particle", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe("body: name=<PERSON_1>");
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
    // A one-letter key is code's variable, whatever it adds up.
    "x=Alice+Bob",
    "ab=A+B",
    // The first and last words are words: an initial or a particle only stands between them.
    "name=D+Smith",
    "name=Maria+van",
    "name=Maria+Lopez+x",
    "total=Price+Tax+shipping",
    "+total=price+tax",
    "$x=a+b",
    "name=Elena+Tanakax9+1",
  ])("%j", (text) => {
    expect(formValues(text)).toEqual([]);
  });

  it("and find nothing where there is nothing", () => {
    for (const text of ["Run: total=price+tax; count = n+1", "x=A+B and a=b+c", "Set title=Quarterly+Report then export", "x=Alice+Bob"]) {
      expect(found(engine, text)).toEqual([]);
    }
  });

  it("a lone pair of capitalised words that name nobody is read, and stays as written", () => {
    expect(decodeEscapes("Set title=Quarterly+Report then export")?.text).toBe("Set title=Quarterly Report then export");
    expect(cloudTextOf(sanitizer, "Set title=Quarterly+Report then export")).toBe("Set title=Quarterly+Report then export");
  });

  // "A" and "I" are read as initials in a value too: the name recognizer takes them as one only before a
  // surname its lexicon knows, so a button's label is read and found no name.
  it.each(["button=Mark+A+Task", "button=Mark+I+Done", "cta=Book+A+Demo"])("a label with A or I between its words, %j, is read and stays as written", (text) => {
    expect(formValues(text)).toHaveLength(1);
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});
