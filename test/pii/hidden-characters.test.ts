/**
 * PII written with full-width or other compatibility characters, or with invisible characters inside
 * (zero-width spaces and joiners, soft hyphens, word joiners, byte-order marks), reads as the plain
 * value to a cloud model. The engine finds it as it finds the plain value, and reports the span of the
 * text as written, hidden characters included, so the whole of it is rewritten.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault } from "../../src/pii/index.js";
import { cloudTextOrKind, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

const cloudText = (content: string, vault?: PseudonymVault) => cloudTextOrKind(sanitizer, content, vault);

const ZWSP = "\u200b";
const SHY = "\u00ad";
const between = (value: string, hidden: string) => value.split("").join(hidden);

describe("full-width and other compatibility characters", () => {
  it("finds a phone number and a card typed with a Japanese IME's full-width digits", () => {
    const text = "折り返しは ＋８１ ９０－１２３４－５６７８ まで。カード ４１１１－１１１１－１１１１－１１１１";
    expect(found(engine, text)).toEqual([
      ["PHONE_NUMBER", "＋８１ ９０－１２３４－５６７８"],
      ["CREDIT_CARD", "４１１１－１１１１－１１１１－１１１１"],
    ]);
  });

  it("finds a full-width SSN, IP address and an e-mail with a full-width @", () => {
    const text = "SSN ５３６－２２－４１８７, host １９２．１６８．１０．２４, mail ann.smith＠example.com";
    expect(found(engine, text)).toEqual([
      ["US_SSN", "５３６－２２－４１８７"],
      ["IP_ADDRESS", "１９２．１６８．１０．２４"],
      ["EMAIL_ADDRESS", "ann.smith＠example.com"],
    ]);
  });

  it("ends a finding after the last code unit of a character outside the BMP", () => {
    // Mathematical bold digits: two UTF-16 units each, one digit each once normalised.
    const card = "𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏";
    expect(found(engine, `card ${card} ok`)).toEqual([["CREDIT_CARD", card]]);
  });

  it("keeps offsets right after characters that normalise to several or to fewer", () => {
    // ㍿ is four characters normalised, ｶﾞ (half-width ka and voicing mark) one or two.
    const text = "㍿ ｶﾞｲﾄﾞ ﬁle: mail ann.lee@example.com now";
    expect(found(engine, text)).toEqual([["EMAIL_ADDRESS", "ann.lee@example.com"]]);
  });

  it("gives a value written full-width the placeholder of its plain form", () => {
    expect(cloudText("card ４１１１ １１１１ １１１１ １１１１ and again 4111 1111 1111 1111")).toBe(
      "card <CREDIT_CARD_1> and again <CREDIT_CARD_1>",
    );
    expect(cloudText("mail ann.smith＠example.com or ann.smith@example.com")).toBe("mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>");
  });
});

describe("invisible characters inside a value", () => {
  it.each([
    ["EMAIL_ADDRESS", `ann.smith${ZWSP}@example.com`],
    ["EMAIL_ADDRESS", "ann.sm\u200dith@exa\u200dmple.com"],
    ["CREDIT_CARD", between("4111111111111111", ZWSP)],
    ["CREDIT_CARD", between("4111111111111111", SHY)],
    ["IBAN_CODE", `DE89${ZWSP}3704${ZWSP}0044${ZWSP}0532${ZWSP}0130${ZWSP}00`],
    ["US_SSN", between("536-22-4187", "\u2060")],
    ["IP_ADDRESS", between("192.168.10.24", "\ufeff")],
  ])("finds %s %j whole, hidden characters included", (type, value) => {
    expect(found(engine, `see ${value} please`)).toEqual([[type, value]]);
  });

  it("leaves hidden characters around a value outside its span", () => {
    expect(found(engine, `mail ${ZWSP}ann@example.com${ZWSP} now`)).toEqual([["EMAIL_ADDRESS", "ann@example.com"]]);
  });

  it("blocks a GitHub token with a zero-width space after its prefix", () => {
    const text = `token ghp_${ZWSP}abcdefghijklmnopqrstuvwxyz0123456789`;
    expect(found(engine, text)).toEqual([["SECRET", text.slice("token ".length)]]);
    expect(cloudText(text)).toBe("blocked");
  });

  it("pseudonymizes a name with a soft hyphen inside whole, surname included", () => {
    expect(cloudText(`Please email Jo${SHY}hn Smith about it`)).toBe("Please email <PERSON_1> about it");
  });

  it("sends no digit of a card with soft hyphens or zero-width spaces inside", () => {
    for (const hidden of [SHY, ZWSP]) {
      const sent = cloudText(`card ${between("4111111111111111", hidden)} thanks`);
      expect(sent).toBe("card <CREDIT_CARD_1> thanks");
    }
  });

  it("gives a value with hidden characters the placeholder of its plain form", () => {
    expect(cloudText(`mail ann.smith${ZWSP}@example.com or ann.smith@example.com`)).toBe("mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>");
  });
});

describe("scanning a long text twice", () => {
  it("reports the same spans from the scan cache", () => {
    const text = `${"Nothing to see in this sentence at all. ".repeat(3)}card ４１１１－１１１１－１１１１－１１１１ end`;
    const first = engine.scan(text, undefined, "acme");
    expect(engine.scan(text, undefined, "acme")).toEqual(first);
    expect(first.map((e) => text.slice(e.start, e.end))).toEqual(["４１１１－１１１１－１１１１－１１１１"]);
  });
});

describe("digits of other scripts", () => {
  const arabic = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
  const devanagari = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0966 + Number(d)));

  it.each([
    ["CREDIT_CARD", arabic("4111 1111 1111 1111")],
    ["CREDIT_CARD", devanagari("4111111111111111")],
    ["PHONE_NUMBER", `+${arabic("1 646-403-5368")}`],
  ])("finds %s %j", (type, value) => {
    expect(found(engine, `see ${value} please`)).toEqual([[type, value]]);
  });

  it("gives a card in Arabic-Indic digits the placeholder of its plain form", () => {
    expect(cloudText(`card ${arabic("4111111111111111")} or 4111111111111111`)).toBe("card <CREDIT_CARD_1> or <CREDIT_CARD_1>");
  });
});
