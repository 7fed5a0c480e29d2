/**
 * base64 text that is not UTF-8 (a mail part sent `charset=iso-8859-1`, as mail clients still do, or a
 * data URI declaring it) is read in its charset: it was read as UTF-8 only, and one "ü" made the whole
 * body go out as written, address and phone number included. A declared charset is read with its
 * decoder; undeclared, or one no decoder has, text that is not UTF-8 is read as Windows-1252. Bytes
 * that are not text (control characters) are still not read. (base64 JSON in Latin-1: base64-json-in-latin-1.)
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const latin1 = (text: string) => Buffer.from(text, "latin1").toString("base64");
const utf8 = (text: string) => Buffer.from(text).toString("base64");

describe("a base64 mail part in ISO-8859-1", () => {
  const body = latin1("Grüße, call me at +1 415 867 2231 or write to ann.lee@example.com");

  it("is read in its charset", () => {
    const mail = `Subject: hi\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${body}\n\nWhat does it say?`;
    expect(cloudTextOf(sanitizer, mail)).toMatch(/Content-Transfer-Encoding: base64\n\n<(PHONE_NUMBER|EMAIL_ADDRESS)_1>\n\nWhat does it say\?$/);
    expect(base64Texts(mail)[0]!.text).toBe("Grüße, call me at +1 415 867 2231 or write to ann.lee@example.com");
  });

  it("with its charset declared after the encoding, quoted", () => {
    const mail = `Content-Transfer-Encoding: base64\nContent-Type: text/plain; charset="ISO-8859-1"\n\n${body}\n`;
    expect(base64Texts(mail)[0]!.text).toMatch(/^Grüße/);
  });

  it("reads the charset of its own part, not the part's before it", () => {
    const utf8 = Buffer.from("Grüße aus Köln").toString("base64");
    const mail = [
      "--b",
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Transfer-Encoding: base64",
      "",
      body,
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      utf8,
      "--b--",
    ].join("\n");
    expect(base64Texts(mail).map((part) => part.text)).toEqual(["Grüße, call me at +1 415 867 2231 or write to ann.lee@example.com", "Grüße aus Köln"]);
  });
});

describe("a data: URI in ISO-8859-1", () => {
  it("declared", () => {
    const payload = latin1("José writes from ann.lee@example.com");
    expect(cloudTextOf(sanitizer, `What does data:text/plain;charset=iso-8859-1;base64,${payload} say?`)).toBe(
      "What does data:text/plain;charset=iso-8859-1;base64,<EMAIL_ADDRESS_1> say?",
    );
  });

  it("undeclared: read as Windows-1252 when it is not UTF-8", () => {
    const text = `data:text/plain;base64,${latin1("José writes from ann.lee@example.com")}`;
    expect(base64Texts(text)[0]!.text).toBe("José writes from ann.lee@example.com");
  });
});

describe("a body that is UTF-8 whatever charset it declares", () => {
  // An even number of bytes: read as UTF-16 it is CJK (`牷瑩⁥…`), with no control character in it.
  const ascii = utf8("write to ann.lee@example.com or call +1 415 867 2231..");

  it("a mail part declared utf-16 is read as UTF-8", () => {
    const mail = `Content-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n${ascii}\n`;
    expect(base64Texts(mail)[0]!.text).toBe("write to ann.lee@example.com or call +1 415 867 2231..");
    expect(cloudTextOf(sanitizer, mail)).not.toContain(ascii);
  });

  it("a data URI declared utf-16be is read as UTF-8", () => {
    expect(cloudTextOf(sanitizer, `data:text/plain;charset=utf-16be;base64,${ascii}`)).toMatch(/^data:text\/plain;charset=utf-16be;base64,<(EMAIL_ADDRESS|PHONE_NUMBER)_1>$/);
  });

  it("a mail part declared iso-8859-1 is read as UTF-8, not as mojibake", () => {
    const mail = `Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${utf8("Patient: Zoë Brontë-Müller")}\n`;
    expect(base64Texts(mail)[0]!.text).toBe("Patient: Zoë Brontë-Müller");
  });

  it("real UTF-16 declared so is still read in it (its NUL bytes are not UTF-8 text)", () => {
    const text = "Grüße from ann.lee@example.com";
    for (const [charset, bytes] of [
      ["utf-16", Buffer.from(text, "utf16le")],
      ["utf-16le", Buffer.from(text, "utf16le")],
      ["utf-16be", Buffer.from(text, "utf16le").swap16()],
    ] as const) {
      expect(base64Texts(`data:text/plain;charset=${charset};base64,${bytes.toString("base64")}`)[0]?.text).toBe(text);
    }
  });
});

describe("what stays as written", () => {
  it("bytes with control characters, in any charset", () => {
    const bytes = Buffer.from([0x47, 0xfc, 0x01, 0x02, 0x9c, 0x80, 0x41, 0x42]).toString("base64");
    expect(base64Texts(`data:text/plain;charset=iso-8859-1;base64,${bytes}`)).toEqual([]);
    expect(base64Texts(`data:text/plain;base64,${bytes}`)).toEqual([]);
  });
});
