/**
 * A data URI whose lines were encoded one by one, followed by a two-line sign-off (`Best`, `John`): both
 * words read as base64 groups, and the walk over every line kept only its last two ends, the sign-off's,
 * neither of which decodes to text; the URI was read on its first line alone and the line with the
 * address went out as written. The walk now keeps its last four ends, so the one before the sign-off is
 * tried, and its cost stays a few decodings of the payload however many lines follow. Every reading is
 * scanned: a sign-off Windows-1252 reads with the payload goes with the URI (masked more, not sent).
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string) => Buffer.from(text).toString("base64");
const lines = `data:text/plain;base64,${base64("hi\n")}\n${base64("hello there\n")}\n${base64("write to ann.lee@example.com")}`;

describe("a data: URI of lines encoded one by one, then a sign-off of two short words", () => {
  it.each([
    ["Best\\nJohn", "Best\nJohn"],
    ["Best\\nMary", "Best\nMary"],
    ["Love\\nNoah", "Love\nNoah"],
  ])("%s after it: the address line is masked", (_label, signOff) => {
    const out = cloudTextOf(sanitizer, `${lines}\n${signOff}`);
    expect(out).not.toContain(base64("write to ann.lee@example.com"));
    expect(out).toMatch(/^data:text\/plain;base64,<EMAIL_ADDRESS_1>(\n|$)/);
  });

  it("stays quick when 50,000 short lines follow the URI", () => {
    const text = `${lines}\n${"Abcd\n".repeat(50_000)}`;
    const started = performance.now();
    base64Texts(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
