/**
 * Japanese and Chinese keyboards in full-width mode type the domain's dots as ideographic full stops:
 * `tanaka@example。co。jp`. IDNA (UTS #46, as mail clients and browsers apply it, and `domainToASCII`) reads
 * U+3002 and the half-width U+FF61 as the label separator, so the address is `tanaka@example.co.jp` to a
 * mail client and to a model alike. The email recognizer stopped the domain at the first `。` and, with
 * no top-level domain left, found nothing: the address went to the cloud as written. NFKC folds only the
 * full-width `．` (U+FF0E) into a dot.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PiiEngine, Sanitizer } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer, valuesOf } from "./support.js";

describe("an email address whose domain is written with ideographic full stops", () => {
  let engine: PiiEngine;
  let sanitizer: Sanitizer;
  beforeAll(() => {
    ({ engine, sanitizer } = patientSanitizer());
  });
  const emails = (text: string) => valuesOf(engine, "EMAIL_ADDRESS", text);

  it.each([
    ["連絡先は tanaka@example。co。jp です", "tanaka@example。co。jp"],
    ["メール: info@例え。jp", "info@例え。jp"],
    ["mail ann.lee@example｡com today", "ann.lee@example｡com"],
    ["联系 wang.li@example。com。cn 谢谢", "wang.li@example。com。cn"],
    // Mixed with ASCII dots, and the sentence's own full stop after it left out.
    ["連絡先は tanaka@mail.example。jp。", "tanaka@mail.example。jp"],
    ["mail: ann@example。comまで", "ann@example。com"],
  ])("finds it in %j", (text, value) => {
    expect(emails(text)).toEqual([value]);
  });

  it.each([
    // A sentence's full stop after an address with ASCII dots is still the sentence's.
    ["連絡先は ann@example.com。", "ann@example.com"],
    // Japanese puts no space after 。: an ASCII word starting with a capital is the next sentence's.
    ["ann@example.com。Thanks", "ann@example.com"],
    ["メール: ann@example.com。PDFを添付します", "ann@example.com"],
    ["git@github.com。README を見て", "git@github.com"],
    ["ann@example。co。jp。Slackで連絡", "ann@example。co。jp"],
  ])("ends the domain at the sentence's full stop in %j", (text, value) => {
    expect(emails(text)).toEqual([value]);
  });

  it.each([
    "これは @example。です",
    "user@localhost。",
    "ann@example。",
    "ann@。com",
    // "Tanaka from Sales." then the next sentence: Japanese writes a person's department so, and after an
    // ideographic full stop, text of another script is the next sentence, not a top-level domain.
    "田中@営業部。よろしくお願いします",
    "連絡は田中@営業部。例えば明日",
    "田中@営業部。OKです",
    "user@host。Excelで開いてください",
  ])("finds none in %j", (text) => {
    expect(emails(text)).toEqual([]);
  });

  it("does not reach the cloud", () => {
    expect(cloudTextOf(sanitizer, "連絡先は tanaka@example。co。jp です")).toBe("連絡先は <EMAIL_ADDRESS_1> です");
  });

  it("leaves the next sentence to the model: one address, one placeholder", () => {
    expect(cloudTextOf(sanitizer, "連絡先は ann@example.com。Please reply to ann@example.com today")).toBe("連絡先は <EMAIL_ADDRESS_1>。Please reply to <EMAIL_ADDRESS_1> today");
  });
});

describe("an address written with ideographic full stops and with dots", () => {
  it("is one value: one placeholder in a conversation", () => {
    const { sanitizer } = patientSanitizer();
    expect(cloudTextOf(sanitizer, "tanaka@example。co。jp と tanaka@example.co.jp は同じです")).toBe("<EMAIL_ADDRESS_1> と <EMAIL_ADDRESS_1> は同じです");
  });
});
