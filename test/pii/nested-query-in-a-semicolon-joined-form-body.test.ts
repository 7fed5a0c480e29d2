/**
 * A form body may join its pairs with `;` (`user=1;return_to=/search?q=Maria%2BGonzalez`, as HTML 4 allowed
 * and some servers still write). Only `&`-joined bodies were read as forms, so there the nested query's `%2B`
 * stayed a `+` and the name went to the cloud as written; a `+` in such a body's own value
 * (`user=1;name=Maria+Gonzalez`) was no space either, and half the name went out
 * (`user=1;name=<PERSON_1>+Gonzalez`). A token whose first two `;`-joined parts are each a key and `=` is now a
 * form body as an `&`-joined one is; the nested query ends at its next `;`. Code and prose with semicolons
 * (`for(i=0;…`, `a=1; then …`) are still no forms.
 */
import { describe, expect, it } from "vitest";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a form body whose pairs are joined by ;", () => {
  it.each([
    ["user=1;return_to=/search?q=Maria%2BGonzalez", "user=1;return_to=/search?q=<PERSON_1>"],
    ["user=1;return_to=/search?q=Maria%2BGonzalez;lang=en", "user=1;return_to=/search?q=<PERSON_1>;lang=en"],
    ["POST /login body: user=1;return_to=/crm/search?q=Maria%2BGonzalez&lang=en", "POST /login body: user=1;return_to=/crm/search?q=<PERSON_1>&lang=en"],
    ["user=1;return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez", "user=1;return_to=%2Fsearch%3Fq%3D<PERSON_1>"],
    ["user=1;name=Maria+Gonzalez", "user=1;name=<PERSON_1>"],
  ])("%j does not send the name", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("is decoded with spaces, the nested query ending at the body's next ;", () => {
    expect(decodeEscapes("user=1;return_to=/search?q=Maria%2BGonzalez;lang=en")?.text).toBe("user=1;return_to=/search?q=Maria Gonzalez;lang=en");
  });

  it("and the placeholder restores as the name", () => {
    const vault = new PseudonymVault();
    const sent = cloudTextOf(sanitizer, "user=1;return_to=/search?q=Maria%2BGonzalez", vault);
    expect(sent).toBe("user=1;return_to=/search?q=<PERSON_1>");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Maria Gonzalez!");
  });
});

describe("semicolons that join no form's pairs", () => {
  it.each([
    // Code: the first part's key is no key.
    ["for(i=0;j=/s?q=C%2B%2B", "for(i=0;j=/s?q=C++"],
    // Prose: a space ends the token, so `a=1;` alone is one pair.
    ["Note: set a=1; then b=/s?q=C%2B%2B", "Note: set a=1; then b=/s?q=C++"],
    // (A name there would be read with a space all the same, as one encoded twice: name-encoded-twice-in-a-form-value.test.ts.)
    ["Tip: use x=1;y=2 then visit /s?q=C%2B%2B", "Tip: use x=1;y=2 then visit /s?q=C++"],
    // One pair before a `;` that no pair follows.
    ["docs=/search?q=C%2B%2B;", "docs=/search?q=C++;"],
  ])("%j", (text, decoded) => {
    expect(decodeEscapes(text)?.text).toBe(decoded);
  });

  it.each([
    ["The docs form posts user=1;return_to=/docs/search?q=C%2B%2B%2Btutorial;lang=en; should the plus signs be encoded twice?"],
    ["Our toolbar form posts button=Mark+A+Task;view=list; should the label be sent with plus signs?"],
    ["Status: ok; the build=green;tests=passed+skipped. See you in Release Notes!"],
  ])("%j sends no placeholder", (text) => {
    expect(cloudTextOf(sanitizer, text)).not.toMatch(/<[A-Z_]+_\d+>/);
  });
});
