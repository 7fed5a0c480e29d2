/**
 * A URL in a form body's value (`user=1&return_to=/search?q=Maria%2BGonzalez`, a login form posting where
 * to go back to) has a query of its own: the form's parser decodes its `%2B` to a `+`, and whoever follows
 * the URL reads `q=Maria Gonzalez`. The nested query was read only after a URL's own `?`
 * (`/login?return_to=/search?q=…`), so in a form body the `%2B` stayed a `+` and the name went to the cloud
 * as written. A `?` in a form body's value now opens a nested query too, whether the body's `&` is written
 * as itself or HTML-escaped (`&amp;`); a `?` before the body's first `=` still opens none.
 */
import { describe, expect, it } from "vitest";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a query nested in a form body's value", () => {
  it.each([
    ["user=1&return_to=/search?q=Maria%2BGonzalez", "user=1&return_to=/search?q=<PERSON_1>"],
    ["POST /login body: user=1&amp;return_to=/search?q=Maria%2BGonzalez", "POST /login body: user=1&amp;return_to=/search?q=<PERSON_1>"],
    ["user=1&return_to=/crm/search?q=Maria%2BGonzalez&lang=en", "user=1&return_to=/crm/search?q=<PERSON_1>&lang=en"],
    // As where the nested query's `?` is encoded, or the outer one is a URL's (read before this fix too).
    ["user=1&return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez", "user=1&return_to=%2Fsearch%3Fq%3D<PERSON_1>"],
    ["/login?next=/x&amp;return_to=%2Fsearch%3Fname%3DMaria%2BGonzalez", "/login?next=/x&amp;return_to=%2Fsearch%3Fname%3D<PERSON_1>"],
  ])("%j does not send the name", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("deep inside a long text, and the placeholder restores as the name", () => {
    const filler = "The quick brown fox jumps over the lazy dog. ".repeat(100);
    const vault = new PseudonymVault();
    const sent = cloudTextOf(sanitizer, `${filler}\nuser=1&return_to=/search?q=Maria%2BGonzalez\n${filler}`, vault);
    expect(sent).toBe(`${filler}\nuser=1&return_to=/search?q=<PERSON_1>\n${filler}`);
    expect(restore("Hello <PERSON_1>!", vault)).toMatch(/^Hello Maria[+ ]Gonzalez!$/);
  });

  it("is decoded with spaces", () => {
    expect(decodeEscapes("user=1&return_to=/search?q=Maria%2BGonzalez")?.text).toBe("user=1&return_to=/search?q=Maria Gonzalez");
  });
});

describe("a %2B that stays a +", () => {
  it.each([
    // A `?` before the token's first `=` is a URL's own query, form body or not.
    ["GET /search?q=C%2B%2B&lang=en", "GET /search?q=C++&lang=en"],
    ["What?Really?x=C%2B%2B&y=1", "What?Really?x=C++&y=1"],
    // One pair is no form body: a config line's URL keeps its escapes' meaning.
    ["docs=https://example.com/search?q=C%2B%2B", "docs=https://example.com/search?q=C++"],
  ])("%j", (text, decoded) => {
    expect(decodeEscapes(text)?.text).toBe(decoded);
  });

  it("and finds nothing where nothing is", () => {
    expect(found(engine, "user=1&return_to=/docs?q=C%2B%2B%2Btutorial&lang=en")).toEqual([]);
  });
});
