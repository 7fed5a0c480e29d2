/**
 * A quoted-printable soft line break (`=` ending a line) was read only where the text is clearly
 * quoted-printable: under a `Content-Transfer-Encoding` header, or with two marks of it. A fragment of a
 * mail pasted with one wrapped line and no header (`write to ann.lee@exam=\nple.com`) kept its break, and
 * the address or name it split went to the cloud in two halves no recognizer reads. A soft break glued to
 * value characters on both sides, ending a line quoted-printable wraps, is now read as a join, and only
 * it: `=XX` stays as written in such a text, and code's `=` at a line's end (indented or quoted after)
 * stays too.
 */
import { describe, expect, it } from "vitest";
import { loneSoftBreak } from "../../src/pii/decode-quoted-printable.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("one soft line break in a text without a quoted-printable header", () => {
  it.each([
    ["Contact: ann.lee@exam=\nple.com, thanks", "Contact: <EMAIL_ADDRESS_1>, thanks"],
    ["email: maria.gonzalez@exa=\nmple.com", "email: <EMAIL_ADDRESS_1>"],
    ["Forwarded: Dear Maria Gon=\nzalez, your order has shipped.", "Forwarded: Dear <PERSON_1>, your order has shipped."],
  ])("%j does not send the value it splits", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("restores the value joined", () => {
    const vault = new PseudonymVault();
    cloudTextOf(sanitizer, "Contact: ann.lee@exam=\nple.com, thanks", vault);
    expect(restore("<EMAIL_ADDRESS_1>", vault)).toBe("ann.lee@example.com");
  });

  it("is the only escape read there", () => {
    expect(decodeEscapes("Set x=3D and mail ann.lee@exam=\nple.com")?.text).toBe("Set x=3D and mail ann.lee@example.com");
  });
});

describe("= ending a line elsewhere stays as written", () => {
  it.each([
    "const total =\n  price + tax;",
    "const url=\n  'https://example.com';",
    "let s=\n\"x\";",
    "Title\n=====\nSubtitle",
    "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8=\naGVsbG8=",
    `${"x".repeat(90)}=\nyy`,
    // A .env variable left empty: joined, the key was glued to the next line's address, and came back so.
    "MAIL_FROM=\nnoreply@example.com",
    "export SMTP_USER=\nann.lee@example.com",
    "smtp_user=\nann.lee@example.com",
  ])("%j", (text) => {
    expect(loneSoftBreak(text)).toBe(-1);
    expect(decodeEscapes(text)).toBeUndefined();
  });

  it("and a joined line of code finds nothing", () => {
    expect(found(engine, "SELECT id FROM t WHERE a=\nb AND c=1;")).toEqual([]);
  });
});
