/**
 * A data URI's base64 wrapped over lines (as editors, mailers and `base64` wrap long runs; browsers skip
 * the line breaks) is read over all its lines: it was read to its first line break, and an address on a
 * later line went out as written. Its lines are those that are base64 of any length up to a line break,
 * the end of the text or a character that ends a URI, as far as they hold whole 4-character groups
 * together (`fold -w 70` wraps at a width that is not whole groups); a paragraph after the URI is not
 * one, and when the lines do not decode to text together the reading tries them without the last, then
 * the first line alone, as before.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string) => Buffer.from(text).toString("base64");
/** `text` folded at `width` columns, as `fold -w` does: the URI's prefix is on its first line. */
const fold = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n");
const note = "hello there, this is a longer note so the base64 wraps over lines; write to ann.lee@example.com or call +1 415 867 2231 please thanks";

describe("a data: URI wrapped over lines", () => {
  it("is read over all its lines, lines encoded one by one included", () => {
    const payload = `${base64("hello there my friend\n")}\n${base64("write to ann.lee@example.com")}`;
    expect(payload.split("\n")[0]).toMatch(/==$/);
    expect(cloudTextOf(sanitizer, `data:text/plain;base64,${payload}`)).toBe("data:text/plain;base64,<EMAIL_ADDRESS_1>");
  });

  it("wrapped at 76 columns and indented in an HTML attribute", () => {
    const payload = base64(`${"Minutes of the weekly planning call, agenda and decisions. ".repeat(3)}Write to ann.lee@example.com`);
    const wrapped = payload.replace(/.{76}(?!$)/g, "$&\n      ");
    expect(wrapped.split("\n").length).toBeGreaterThan(2);
    expect(cloudTextOf(sanitizer, `<a href="data:text/plain;base64,${wrapped}">minutes</a>`)).toBe('<a href="data:text/plain;base64,<EMAIL_ADDRESS_1>">minutes</a>');
  });

  it.each([70, 50, 58])("folded at %i columns, a width that is not whole 4-character groups", (width) => {
    const uri = fold(`data:text/plain;base64,${base64(note)}`, width);
    expect(uri.split("\n").slice(1, -1).every((line) => line.length % 4 !== 0)).toBe(true);
    expect(cloudTextOf(sanitizer, uri)).toMatch(/^data:text\/plain;base64,<(EMAIL_ADDRESS|PHONE_NUMBER)_1>$/);
    expect(base64Texts(uri)[0]!.text).toBe(note);
  });

  it("folded at 70 columns, ends before short lines and a paragraph after it", () => {
    const uri = fold(`data:text/plain;base64,${base64(note)}`, 70);
    // `Best` is base64 of whole groups that decodes to bytes; `Ann` is not whole groups.
    const text = `${uri}\nBest\nAnn\n\nThanks for looking.`;
    expect(base64Texts(text).map((found) => [text.slice(found.start, found.end), found.text])).toEqual([[uri.slice(23), note]]);
  });

  it("ends before a paragraph after it", () => {
    const payload = base64("mail ann.lee@example.com");
    expect(cloudTextOf(sanitizer, `data:text/plain;base64,${payload}\nThanks for looking.`)).toBe("data:text/plain;base64,<EMAIL_ADDRESS_1>\nThanks for looking.");
  });

  it("is read on its first line alone when a next line that looks like base64 decodes to bytes", () => {
    const payload = base64("hello there");
    const text = `data:text/plain;base64,${payload}\nBest\nAnn`;
    expect(base64Texts(text).map((found) => [text.slice(found.start, found.end), found.text])).toEqual([[payload, "hello there"]]);
  });

  it("ends at its last, shorter line, before a sign-off of short words that read as base64 groups", () => {
    // Review (session 21): "Best" and "John" are 4 characters each, whole base64 groups; taken as the URI's
    // lines they decoded to control bytes, and the reading fell back to the first line alone, so the
    // payload on the lines between went out as written.
    const payload = Buffer.from("Notes for the visit.\nPatient contact: maria.gonzalez@example.com, phone +1 415 555 0132.\nThanks").toString("base64");
    const uri = "data:text/plain;base64," + payload.match(/.{1,40}/g)!.join("\n");
    const out = cloudTextOf(sanitizer, `See ${uri}\nBest\nJohn`);
    expect(out).not.toContain("bWFyaWEuZ29uemFsZXpAZXhhbXBs");
    expect(out).not.toContain("b250YWN0OiBtYXJpYS5nb256YWxlekBleGFtcGxl");
    expect(out).toMatch(/^See data:text\/plain;base64,<EMAIL_ADDRESS_1>\nBest\n/);
  });
});
