/**
 * A URL percent-encoded into another's parameter, as login redirects carry where to go back to
 * (`GET /login?return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez`), has a query of its own, and its `+` were
 * encoded as `%2B` only to pass through the outer query: whoever follows the link reads
 * `q=Maria Gonzalez`. A `%2B` decoded to a `+` that stayed one, so the name went to the cloud as
 * written. Now a `+` in the form values of a query whose `?` was itself decoded from an escape, or
 * written inside an outer query's value (`return_to=/search?q=Maria%2BGonzalez`), is a space; in a
 * first-level query a `%2B` is still a `+` (`?q=C%2B%2B`).
 */
import { describe, expect, it } from "vitest";
import { nestedQueryValues } from "../../src/pii/decode-form.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a + in a query encoded into another's parameter is a space", () => {
  it("in a login's return path, as the same search written plainly is", () => {
    expect(cloudTextOf(sanitizer, "GET /search?q=Maria+Gonzalez HTTP/1.1")).toBe("GET /search?q=<PERSON_1> HTTP/1.1");
    expect(cloudTextOf(sanitizer, "GET /login?return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez HTTP/1.1")).toBe(
      "GET /login?return_to=%2Fsearch%3Fq%3D<PERSON_1> HTTP/1.1",
    );
  });

  it("encoded twice", () => {
    expect(cloudTextOf(sanitizer, "GET /login?return_to=%252Fsearch%253Fq%253DMaria%252BGonzalez HTTP/1.1")).toBe(
      "GET /login?return_to=%252Fsearch%253Fq%253D<PERSON_1> HTTP/1.1",
    );
  });

  it("in any of the nested query's pairs, up to the outer query's next one", () => {
    const text = "Why a 302? GET /login?return_to=%2Fcrm%2Fsearch%3Fpage%3D2%26q%3DMaria%2BGonzalez&lang=en";
    expect(cloudTextOf(sanitizer, text)).toBe("Why a 302? GET /login?return_to=%2Fcrm%2Fsearch%3Fpage%3D2%26q%3D<PERSON_1>&lang=en");
  });

  it("deep inside a long text (the decoded stretch around the escapes is read with the nested query)", () => {
    const filler = "The quick brown fox jumps over the lazy dog. ".repeat(100);
    const text = `${filler}GET /login?return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez HTTP/1.1\n${filler}`;
    expect(cloudTextOf(sanitizer, text)).toBe(`${filler}GET /login?return_to=%2Fsearch%3Fq%3D<PERSON_1> HTTP/1.1\n${filler}`);
  });

  it("where the nested query's ? is written as itself, as where it is encoded", () => {
    expect(cloudTextOf(sanitizer, "GET /login?return_to=/search%3Fq=Maria%2BGonzalez")).toBe("GET /login?return_to=/search%3Fq=<PERSON_1>");
    expect(cloudTextOf(sanitizer, "GET /login?return_to=/search?q=Maria%2BGonzalez")).toBe("GET /login?return_to=/search?q=<PERSON_1>");
    expect(cloudTextOf(sanitizer, "GET /login?return_to=/search?q=Maria%2BGonzalez&lang=en HTTP/1.1")).toBe(
      "GET /login?return_to=/search?q=<PERSON_1>&lang=en HTTP/1.1",
    );
  });

  it("and the placeholder restores as the whole name", () => {
    // Read alone (decode.ts valueReader), the value `Maria%2BGonzalez` has no query around it, but is
    // whole a name encoded twice, which is read with its space (decode-form.ts wholeEncodedName).
    const vault = new PseudonymVault();
    const text = cloudTextOf(sanitizer, "GET /login?return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez", vault);
    expect(text).toBe("GET /login?return_to=%2Fsearch%3Fq%3D<PERSON_1>");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Maria Gonzalez!");
  });
});

describe("a %2B elsewhere is a + that stays one", () => {
  it.each([
    // The `?` is written: the query is the text's own, and its `%2B` a plus.
    ["GET /search?q=C%2B%2B+tutorial&tel=%2B14155550132", "GET /search?q=C++ tutorial&tel=+14155550132"],
    // A path encoded into a parameter, no query in it.
    ["GET /login?return_to=%2Fwiki%2FC%2B%2B", "GET /login?return_to=/wiki/C++"],
    // The outer query's next pair is not the nested query's.
    ["GET /login?return_to=%2Fdocs%3Fq%3Dintro&lang=C%2B%2B", "GET /login?return_to=/docs?q=intro&lang=C++"],
    // The nested URL's fragment, and a phone number's leading + in the nested query.
    ["GET /login?return_to=%2Fcall%3Ftel%3D%2B14155550132%23x%3Da%2Bb", "GET /login?return_to=/call?tel=+14155550132#x=a+b"],
    // A decoded `?` before no pair: no query.
    ["Is it C%2B%2B%3F Or x%3Fy%2Bz", "Is it C++? Or x?y+z"],
    // A written `?` nests a query only inside an outer query's value: not before its first `=`, not in
    // its fragment, and the outer query's next pair is still its own.
    ["What?Really?x=C%2B%2B", "What?Really?x=C++"],
    ["GET /docs#see?q=C%2B%2B", "GET /docs#see?q=C++"],
    ["GET /docs?page=1#see?q=C%2B%2B", "GET /docs?page=1#see?q=C++"],
    ["GET /login?return_to=/docs?q=intro&lang=C%2B%2B", "GET /login?return_to=/docs?q=intro&lang=C++"],
  ])("%j", (text, decoded) => {
    expect(decodeEscapes(text)?.text).toBe(decoded);
  });

  it("and finds nothing where nothing is", () => {
    expect(found(engine, "GET /login?return_to=%2Fsearch%3Fq%3DC%2B%2B%2Btutorial%26sort%3Dnew&lang=en HTTP/1.1")).toEqual([]);
  });
});

describe("nestedQueryValues", () => {
  it("takes the values of a query whose ? is marked decoded, up to an & written as itself", () => {
    const copy = "r=/s?q=A+B&x=c+d";
    const decoded = Array.from(copy, (_, i) => (i === 4 ? 1 : 0));
    expect(nestedQueryValues(copy, decoded).map(([start, end]) => copy.slice(start, end))).toEqual(["A+B"]);
    // Written, its `?` nests a query only in a value of a URL's query or of a form body (two pairs or more).
    expect(nestedQueryValues("r=/s?q=A+B", new Uint8Array(10))).toEqual([]);
    expect(nestedQueryValues(copy, new Uint8Array(copy.length)).map(([start, end]) => copy.slice(start, end))).toEqual(["A+B"]);
  });

  it("and of a query whose ? is written in an outer query's value, but not of the outer query", () => {
    const copy = "/login?r=/s?q=A+B&x=c+d";
    expect(nestedQueryValues(copy, new Uint8Array(copy.length)).map(([start, end]) => copy.slice(start, end))).toEqual(["A+B"]);
    expect(nestedQueryValues("/s?q=C++", new Uint8Array(8))).toEqual([]);
  });
});
