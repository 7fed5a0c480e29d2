/**
 * base64 JSON written in Latin-1 (older systems and exports still write JSON so) was read as UTF-8 only, and
 * its first "é" made the whole blob go out as written, name and email address included. It is now read as
 * data URIs and mail parts are: as UTF-8 when it is UTF-8, else as Windows-1252. Bytes that are not text
 * still are not read: Windows-1252 reads any bytes, so its reading must be JSON from first to last
 * character, without control characters.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const json = '{"name":"José Müller","email":"jose@example.com"}';
const latin1 = (text: string) => Buffer.from(text, "latin1").toString("base64");

describe("base64 JSON in Latin-1", () => {
  it("does not reach the cloud, and restores as written", () => {
    const blob = latin1(json);
    const text = `Why does the import reject payload=${blob} with a 400?`;
    const vault = new PseudonymVault();
    const sent = cloudTextOf(sanitizer, text, vault);
    expect(sent).not.toContain(blob);
    expect(sent).toMatch(/^Why does the import reject payload=<(PERSON|EMAIL_ADDRESS)_1> with a 400\?$/);
    expect(restore(sent, vault)).toBe(text);
  });

  it("is read as Windows-1252, as UTF-8 JSON is still read as UTF-8", () => {
    expect(base64Texts(`blob ${latin1(json)} end`).map((found) => found.text)).toEqual([json]);
    expect(base64Texts(`blob ${Buffer.from(json).toString("base64")} end`).map((found) => found.text)).toEqual([json]);
  });

  it("pretty printed, an array, URL-safe", () => {
    const pretty = JSON.stringify([{ name: "José Müller", email: "jose@example.com" }], null, 2);
    expect(base64Texts(`blob ${latin1(pretty)} end`).map((found) => found.text)).toEqual([pretty]);
    const urlSafe = latin1('{"note":"¿Dónde está? »ok«","email":"jose@example.com"}').replace(/\+/g, "-").replace(/\//g, "_");
    expect(base64Texts(`state=${urlSafe}`).map((found) => found.text)).toEqual(['{"note":"¿Dónde está? »ok«","email":"jose@example.com"}']);
  });
});

describe("what stays as written", () => {
  it("bytes after a JSON start that do not close as JSON", () => {
    const bytes = Buffer.concat([Buffer.from('{"'), Buffer.from([0xe9, 0x9c, 0xfc, 0xa7, 0xb3, 0xd8, 0xff, 0xee, 0xc1, 0xb0, 0xf5, 0xa9, 0xe4, 0xbb])]);
    expect(base64Texts(`blob ${bytes.toString("base64")} end`)).toEqual([]);
  });

  it("bytes with control characters, closed as JSON or not", () => {
    const bytes = Buffer.concat([Buffer.from('{"'), Buffer.from([0xe9, 0x01, 0xfc, 0x02, 0xb3, 0xd8, 0x1f, 0xee, 0xc1, 0xb0, 0xf5]), Buffer.from('"}')]);
    expect(base64Texts(`blob ${bytes.toString("base64")} end`)).toEqual([]);
  });
});
