/**
 * base64 of pretty-printed JSON is read like base64 of compact JSON: `{` and a CRLF line break is
 * `ew0K`, and an array whose first line break follows `[` is `Wwo` (`Ww0K` with CRLF), starts the
 * reading did not know, so an address inside went out as written; so were an array of strings (`["`,
 * `WyJ`), and JSON with a space or tab after its first bracket (`eyAg`, `ewki`, `WyAi`, `WyB7`). Runs
 * with those starts that do not decode to JSON text stay as written, as other base64 does.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("base64 of pretty-printed JSON", () => {
  it.each([
    ["an object, CRLF line breaks", '{\r\n  "email": "ann.lee@example.com"\r\n}', "ew0K"],
    ["an array of objects", '[\n  {\n    "email": "ann.lee@example.com"\n  }\n]', "Wwo"],
    ["an array of objects, CRLF line breaks", '[\r\n  {\r\n    "email": "ann.lee@example.com"\r\n  }\r\n]', "Ww0K"],
  ])("%s", (_name, json, start) => {
    const blob = base64(json);
    expect(blob.startsWith(start)).toBe(true);
    expect(cloudTextOf(sanitizer, `blob ${blob} end`)).toBe("blob <EMAIL_ADDRESS_1> end");
  });

  it.each([
    ["an array of strings", '["ann.lee@example.com", "+1 415 867 2231"]', "WyJ"],
    ["an array of strings, a space after [", '[ "ann.lee@example.com" ]', "WyAi"],
    ["an array of objects, a space after [", '[ {"email": "ann.lee@example.com"} ]', "WyB7"],
    ["an object indented by two spaces on its first line", '{  "email": "ann.lee@example.com" }', "eyAg"],
    ["an object indented by a tab", '{\t"email": "ann.lee@example.com"}', "ewki"],
  ])("%s", (_name, json, start) => {
    const blob = base64(json);
    expect(blob.startsWith(start)).toBe(true);
    expect(cloudTextOf(sanitizer, `payload: ${blob}`)).toMatch(/^payload: <(EMAIL_ADDRESS|PHONE_NUMBER)_1>$/);
  });

  it("a run with such a start that decodes to bytes is not read", () => {
    const bytes = Buffer.concat([Buffer.from("[\n "), Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9c, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86])]).toString("base64");
    expect(bytes.startsWith("Wwo")).toBe(true);
    expect(base64Texts(`id ${bytes} ok`)).toEqual([]);
  });
});
