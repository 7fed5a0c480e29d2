/**
 * A client that form-encodes a value and then percent-encodes it again writes `name=Maria%2BGonzalez`:
 * decoded once it is `Maria+Gonzalez`, itself form-encoded, and whoever reads it reads "Maria Gonzalez".
 * Only a nested query's `%2B` were read as spaces, so here the `+` stayed a plus: the first name was
 * masked and the surname sent (`name=<PERSON_1>%2BGonzalez`), or in a first-level query nothing was found
 * at all. Now a first-level form value whose every `+` was a `%2B` and that reads as a name (capitalised
 * words, an initial or a particle between them) is read with spaces; other `%2B` stay pluses (`C%2B%2B`).
 */
import { describe, expect, it } from "vitest";
import { laterFormValues } from "../../src/pii/decode-form.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a name whose + was percent-encoded in a form value", () => {
  it.each([
    ["name=Maria%2BGonzalez", "name=<PERSON_1>"],
    ["Why is this rejected? name=Maria%2BGonzalez&x=1", "Why is this rejected? name=<PERSON_1>&x=1"],
    ["GET /search?q=Maria%2BGonzalez HTTP/1.1", "GET /search?q=<PERSON_1> HTTP/1.1"],
    ["user=1;full_name=Maria%2BGonzalez%2BLopez", "user=1;full_name=<PERSON_1>"],
    ["body: contact_name=Elena%252BTanaka", "body: contact_name=<PERSON_1>"],
  ])("%j does not send the name", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("restores as the name, the same person as the name written plainly", () => {
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, "name=Maria%2BGonzalez, and Maria Gonzalez called again", vault)).toBe("name=<PERSON_1>, and <PERSON_1> called again");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Maria Gonzalez!");
  });

  it("a nested query's name restores as the name too", () => {
    const vault = new PseudonymVault();
    cloudTextOf(sanitizer, "GET /login?return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez", vault);
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Maria Gonzalez!");
  });

  it("is decoded with a space", () => {
    expect(decodeEscapes("name=Maria%2BGonzalez&x=C%2B%2B")?.text).toBe("name=Maria Gonzalez&x=C++");
  });
});

describe("a %2B in any other value stays a plus", () => {
  it.each([
    ["GET /search?q=C%2B%2B", "GET /search?q=C++"],
    ["x=Alice%2BBob", "x=Alice+Bob"],
    ["GET /s?q=Maria%2Bgonzalez", "GET /s?q=Maria+gonzalez"],
    ["path=/wiki/Maria%2BGonzalez", "path=/wiki/Maria+Gonzalez"],
  ])("%j", (text, decoded) => {
    expect(decodeEscapes(text)?.text).toBe(decoded);
  });

  it("capitalised words that name nobody are read as a name would be, and stay as written", () => {
    expect(decodeEscapes("title=Quarterly%2BReport&x=1")?.text).toBe("title=Quarterly Report&x=1");
    expect(cloudTextOf(sanitizer, "title=Quarterly%2BReport&x=1")).toBe("title=Quarterly%2BReport&x=1");
  });

  it("and where the + was written, round one already decided", () => {
    const copy = "x=Alice+Bob";
    expect(laterFormValues(copy, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual([]);
  });

  it("finds nothing where nothing is", () => {
    for (const text of ["GET /search?q=C%2B%2B%2Btutorial HTTP/1.1", "total=Price%2BTax&x=1", "x=Alice%2BBob", "GET /s?q=Mark%2BA%2BTask"]) {
      expect(found(engine, text)).toEqual([]);
    }
  });
});
