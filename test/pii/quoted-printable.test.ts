/**
 * Mail bodies pasted into prompts are often quoted-printable (`Content-Transfer-Encoding:
 * quoted-printable`): `=C3=A9` for "é", `=40` for "@" (rarely), and `=` at the end of a line for a soft
 * line break, which splits whatever crosses the 76th column. A model reads through them; the names,
 * e-mail and card recognizers did not, so `Jos=C3=A9 Garc=C3=ADa` went out as `Jos=C3=A9 Garc=C3=<PERSON_1>`
 * and an address or card broken over two lines went out whole. Elsewhere `=` is code or padding.
 */
import { describe, expect, it } from "vitest";
import { quotedPrintableFrom } from "../../src/pii/decode-quoted-printable.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { createSanitizer, PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, found, patientPolicy, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

const HEADERS = "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n";

describe("a quoted-printable mail body", () => {
  it("is read through its escapes and soft line breaks, and rewritten where they are", () => {
    const body = `${HEADERS}Dear Jos=C3=A9 Garc=C3=ADa,\nplease confirm your new address ann.lee@exam=\nple.com and the card ending 4111 1111 =\n1111 1111.`;
    expect(cloudTextOf(sanitizer, `Summarise this mail:\n${body}`)).toBe(
      `Summarise this mail:\n${HEADERS}Dear <PERSON_1>,\nplease confirm your new address <EMAIL_ADDRESS_1> and the card ending <CREDIT_CARD_1>.`,
    );
  });

  it("reads a character whose bytes a soft line break splits", () => {
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, `${HEADERS}Dear Mar=C3=\n=ADa Garc=C3=ADa, welcome.`, vault)).toBe(`${HEADERS}Dear <PERSON_1>, welcome.`);
    expect(restore("<PERSON_1>", vault)).toBe("María García");
  });

  it("reads =40 as @ where the mail says it is quoted-printable", () => {
    expect(cloudTextOf(sanitizer, `${HEADERS}Write to ann.lee=40example.com today.`)).toBe(`${HEADERS}Write to <EMAIL_ADDRESS_1> today.`);
  });

  it("restores the values as they read, not as they were encoded", () => {
    const vault = new PseudonymVault();
    cloudTextOf(sanitizer, `${HEADERS}Dear Jos=C3=A9 Garc=C3=ADa, write to ann.lee@exam=\nple.com or ann.lee=40example.org.`, vault);
    expect(restore("<PERSON_1> <EMAIL_ADDRESS_1> <EMAIL_ADDRESS_2>", vault)).toBe("José García ann.lee@example.com ann.lee@example.org");
  });

  it("without its headers, when its soft line breaks make it unmistakable", () => {
    const body = [
      "Hello team, this is the body of the message I got this morning; it wraps ar=",
      "ound here, and the second soft break comes at the end of this longer line=",
      " and then the address is ann.lee@exam=",
      "ple.com, thanks.",
    ].join("\n");
    const text = cloudTextOf(sanitizer, body);
    expect(text).toContain("the address is <EMAIL_ADDRESS_1>, thanks.");
    expect(text).not.toContain("ple.com");
  });

  it("or a name spelt with UTF-8 escapes alone, which nothing but quoted-printable writes", () => {
    expect(cloudTextOf(sanitizer, "Fix the greeting: Dear Jos=C3=A9 Garc=C3=ADa, thanks for your order.")).toBe(
      "Fix the greeting: Dear <PERSON_1>, thanks for your order.",
    );
  });

  // A budget a loaded test machine keeps: what is tested is that such a mail is read in time linear in
  // it, not refused on principle (measured: ~80-140 ms of CPU).
  it("a 1 MB mail is read within a budget a loaded test machine keeps", () => {
    let mail = HEADERS;
    const line = "the quarterly report was sent to the whole team on Monday and caf=C3=A9 na=C3=AFve =3D done";
    while (mail.length < 990_000) mail += `${line.slice(0, 70)}=\n${line.slice(70)}\n`;
    mail += "Reply to ann.lee@exam=\nple.com.";
    const policy = patientPolicy();
    const tight = createSanitizer({ policy: { ...policy, scan: { ...policy.scan, budget_ms: 5_000 } }, engine, env: {} });
    const text = cloudTextOf(tight, mail);
    expect(text.endsWith("Reply to <EMAIL_ADDRESS_1>.")).toBe(true);
  });
});

describe("= elsewhere stays as written", () => {
  it.each([
    "let x=10; y=3D; color=FF0000; z=YQ==",
    "const total =\n  price + tax;\nconst rate=\n  0.2;",
    "Title\n=====\nSubtitle\n-----",
    "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8=\naGVsbG8gd29ybGQ=\n",
  ])("%j", (text) => {
    expect(quotedPrintableFrom(text)).toBe(Infinity);
    expect(decodeEscapes(text)).toBeUndefined();
  });

  it("a SQL assignment is not a byte", () => {
    expect(found(engine, "UPDATE t SET a=3D, b=40 WHERE id=C3;")).toEqual([]);
  });
});

describe("quotedPrintableFrom", () => {
  it("starts at the declaring header", () => {
    const text = `Intro a=3Db\n${HEADERS}body a=3Db`;
    expect(quotedPrintableFrom(text)).toBe(text.indexOf("Content-Transfer-Encoding"));
    expect(decodeEscapes(text)?.text).toBe(`Intro a=3Db\n${HEADERS}body a=b`);
  });

  it("takes two soft line breaks, or one and an escaped character, as evidence", () => {
    expect(quotedPrintableFrom("one long line that wraps he=\nre and again he=\nre")).toBe(0);
    expect(quotedPrintableFrom("Jos=C3=A9 wraps he=\nre")).toBe(0);
    expect(quotedPrintableFrom("only one soft break he=\nre")).toBe(Infinity);
    expect(quotedPrintableFrom(`${"x".repeat(90)}=\n${"y".repeat(90)}=\nz`)).toBe(Infinity);
  });

  it("maps a value across a soft line break back to both lines", () => {
    const text = `${HEADERS}mail ann.lee@exam=\nple.com`;
    const decoded = decodeEscapes(text)!;
    const at = decoded.text.indexOf("ann.lee@example.com");
    const [entity] = decoded.toOriginal([{ type: "EMAIL_ADDRESS", start: at, end: at + 19, score: 1 }]);
    expect(text.slice(entity!.start, entity!.end)).toBe("ann.lee@exam=\nple.com");
  });
});
