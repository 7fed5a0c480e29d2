/**
 * A wrapped data URI is read at each end it may have, and every reading is scanned, the span reaching
 * the furthest end read. One reading was chosen before, and each choice sent part of some payload:
 * lines of names after a UTF-8 URI read with it as Windows-1252 (`example.com1ªò`) hid the address; the
 * end before the last line of a Latin-1 payload, read in UTF-8, left that line (the signer's name)
 * outside the span; a declared single-byte charset read the payload with a `Mary` line glued on.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string, encoding: BufferEncoding = "utf8") => Buffer.from(text, encoding).toString("base64");
/** `text` wrapped at `width` columns, its last line shorter. */
const wrap = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n");

describe("a wrapped data: URI is read at every end and each reading scanned", () => {
  it.each([1, 2, 5])("an unwrapped UTF-8 URI before %i lines of one name each masks the address", (count) => {
    const names = ["Mary", "John", "Anne", "Paul", "Mark"].slice(0, count).join("\n");
    const out = cloudTextOf(sanitizer, `data:text/plain;base64,${base64("call ann.lee@example.com")}\n${names}`);
    expect(out).not.toContain(base64("call ann.lee@example.com"));
    expect(out).toMatch(/^data:text\/plain;base64,<EMAIL_ADDRESS_1>/);
  });

  it("a Latin-1 payload whose only accent is in a short last line is masked whole, that line included", () => {
    const payload = wrap(base64("Notes about the customer file, write to ann.lee@example.com. Merci, René", "latin1"), 40);
    expect(cloudTextOf(sanitizer, `data:text/plain;base64,${payload}`)).toBe("data:text/plain;base64,<EMAIL_ADDRESS_1>");
  });

  it.each(["iso-8859-1", "iso-8859-2", "windows-1251"])("a payload declared %s, padded, then a Mary line, masks the address", (charset) => {
    const payload = wrap(base64("Réunion confirmée, écrire à ann.lee@example.com", "latin1"), 40);
    const out = cloudTextOf(sanitizer, `data:text/plain;charset=${charset};base64,${payload}\nMary`);
    expect(out).not.toContain("bi5sZWVAZXhhbXBsZS5jb20");
    expect(out).toMatch(/^data:text\/plain;charset=[\w-]+;base64,<EMAIL_ADDRESS_1>/);
  });

  it("stays quick with 100,000 short lines after a URI, and with 20,000 URIs", () => {
    const lines = `data:text/plain;base64,${wrap(base64("write to ann.lee@example.com, Réunion", "latin1"), 16)}\n${"Mary\n".repeat(100_000)}`;
    const uris = `data:text/plain;base64,${base64("hi ann")}\nMary\n`.repeat(20_000);
    for (const text of [lines, uris]) {
      // CPU time, least of a few runs (support/cpu-time.ts): one run's wall time failed the bound on a
      // machine loaded by other work (load ~10), where the worker waits for a core.
      expect(leastCpuMs(() => base64Texts(text))).toBeLessThan(1000);
    }
  });

  it("stays quick through the sanitizer with 20,000 URIs each before a name line", () => {
    const uris = `data:text/plain;base64,${base64("hi ann")}\nMary\n`.repeat(20_000);
    // CPU time of one run: not the wait for a core on a loaded machine.
    expect(leastCpuMs(() => cloudTextOf(sanitizer, uris), 1)).toBeLessThan(5000);
  });
});
