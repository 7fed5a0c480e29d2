/**
 * A wrapped data URI followed by a one-name sign-off line (`Mary`, `Mark`, `Noah`): the name reads as
 * base64 too, and its bytes glued on (`1ªò`) are no UTF-8, so the reading over every line fell back to
 * Windows-1252, which reads any bytes. A UTF-8 payload then turned to mojibake and the address or phone
 * at its end into another word, and the URI went out as written. Every end of the URI is now read and
 * each reading scanned (base64-data-uri-every-reading-scanned): the address is masked, and the name
 * line, which Windows-1252 reads as part of the payload, goes with the URI (masked more, not sent).
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string) => Buffer.from(text).toString("base64");
/** `text` wrapped at `width` columns, its last line shorter. */
const wrap = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n");

describe("a wrapped data: URI followed by a sign-off line of one name", () => {
  const note = "Hi team, the customer asked us to update her contact details. Please write to ann.lee@example.com";

  it.each(["Mary", "Mark", "Noah"])("signed %s, masks the address (the name line goes with the URI)", (name) => {
    const text = `Here is the note:\ndata:text/plain;base64,${wrap(base64(note), 64)}\n${name}`;
    const out = cloudTextOf(sanitizer, text);
    expect(out).not.toContain("YW5uLmxlZUBleGFtcGxlLmNv");
    expect(out).toBe("Here is the note:\ndata:text/plain;base64,<EMAIL_ADDRESS_1>");
  });

  it("a UTF-8 payload with umlauts, wrapped at 40, masks the name and phone in it", () => {
    const payload = wrap(base64("Bitte rufen Sie Herrn Jürgen Müller an, Tel. +49 30 12345678"), 40);
    const out = cloudTextOf(sanitizer, `data:text/plain;base64,${payload}\nMary`);
    expect(out).not.toContain("TcO8bGxlciBhbiwgVGVsLiArNDkgMzAgMTIzNDU2");
    expect(out).toBe("data:text/plain;base64,<PHONE_NUMBER_1>");
  });

  it("a Latin-1 payload whose first lines read as UTF-8 is still read whole (guard: trying UTF-8 at every end first would cut it)", () => {
    const latin1 = Buffer.from("Notes from the weekly call about the customer file. Réunion confirmée, écrire à ann.lee@example.com", "latin1");
    const out = cloudTextOf(sanitizer, `data:text/plain;base64,${wrap(latin1.toString("base64"), 64)}`);
    expect(out).toBe("data:text/plain;base64,<EMAIL_ADDRESS_1>");
  });
});
