/**
 * A numeric character reference or a `\u{…}` escape may carry any number of leading zeros: browsers
 * read `&#000000064;` and `&#x0000040;` as `@`, and JavaScript reads `\u{0000040}` so too. The decoded
 * reading took at most 7 decimal or 6 hex digits from the `&#`, so an address written with such a
 * reference went to the cloud as written. Zeros that spell a character outside Unicode, or none, still
 * decode to nothing.
 */
import { describe, expect, it } from "vitest";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("escapes with leading zeros are read as the character they spell", () => {
  it.each([
    ["mail ann.lee&#000000064;example.com", "mail <EMAIL_ADDRESS_1>"],
    ["mail ann.lee&#x0000040;example.com", "mail <EMAIL_ADDRESS_1>"],
    ["mail ann.lee&#X00000000040;example.com", "mail <EMAIL_ADDRESS_1>"],
    ['const to = "ann.lee\\u{0000000040}example.com";', 'const to = "<EMAIL_ADDRESS_1>";'],
  ])("%j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("and the value restores as the value it spells", () => {
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, "<p>Dear Jos&#x00000E9; Garc&#0000237;a, see you</p>", vault)).toBe("<p>Dear <PERSON_1>, see you</p>");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello José García!");
  });

  it("however many zeros there are, in time linear in them", () => {
    expect(decodeEscapes(`ann.lee&#${"0".repeat(100_000)}64;example.com`)?.text).toBe("ann.lee@example.com");
  });
});

describe("zeros that spell no character, or not that one, find nothing", () => {
  it.each([
    "ann.lee&#0000000;example.com",
    "ann.lee&#x00110000;example.com",
    "ann.lee&#00000065;example.com",
    "ann.lee\\u{00000110000}example.com",
    "In HTML &#00064; and &#x0040; are both an at sign.",
  ])("%j", (text) => {
    expect(found(engine, text)).toEqual([]);
  });
});
