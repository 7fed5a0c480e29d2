/**
 * The fourth review of this session's PII fixes (each case failed on 1e197af): a data: URI's lines encoded
 * one by one are of unequal width and were cut at the first that differed; "A" and "I" refused as initials
 * let the surname of "Mary A Jones" go out; a capitalised particle let a common or street word in as the
 * surname ("Grant La Salle Street").
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const b = (t: string) => Buffer.from(t).toString("base64");

describe("a data: URI whose lines were encoded one by one, of unequal width, is read over all of them", () => {
  // Before 28c6d0f all three were masked; now the width rule stops at line 2 and the address leaks.
  it.each([
    ["longer line after the first continued line", `data:text/plain;base64,${b("hi\n")}\n${b("hello there\n")}\n${b("write to ann.lee@example.com")}`],
    ["padding mid-stream (shorter continued line)", `data:text/plain;base64,${b("hi\n")}\n${b("hello there!!\n")}\n${b("write to ann.lee@example.com")}`],
    ["CRLF, padded lines", `data:text/plain;base64,${b("hi there\n")}\r\n${b("hello there my friend\n")}\r\n${b("write to ann.lee@example.com")}`],
  ])("%s", (_label, text) => {
    expect(cloudTextOf(sanitizer, text)).not.toContain("d3JpdGUgdG8gYW5uLmxlZUBleGFtcGxlLmNvbQ");
  });
});

describe("middle initials A and I before a surname the lexicon knows", () => {
  // Masked before 28c6d0f; now the surname (or the whole name) goes out.
  it.each([
    ["Contact Mary A Jones today", "Jones"],
    ["Contact John I Smith today", "Smith"],
    ["Tell John I Smith", "Smith"],
  ])("%s", (text, surname) => {
    expect(cloudTextOf(sanitizer, text)).not.toContain(surname);
  });
});

describe("a capitalised particle lets in no common or street word as the surname", () => {
  // Before 1e197af these kept the street/ordinary word; now it is part of the PERSON.
  it.each([
    ["Meet Grant La Salle Street tomorrow", "Street"],
    ["Anna Del Rey Avenue is closed", "Avenue"],
    ["Contact Maria Ten Years Later", "Later"],
    ["Call Mike Van Hire Today", "Today"],
  ])("%s keeps %s", (text, word) => {
    expect(cloudTextOf(sanitizer, text)).toContain(word);
  });
});

