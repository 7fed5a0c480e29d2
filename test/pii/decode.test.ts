/**
 * The decoded copy of a text the recognizers scan besides the text itself (decode.ts), and the way
 * from its offsets back to the escapes as written.
 */
import { describe, expect, it } from "vitest";
import { deadlineIn, PiiScanError } from "../../src/pii/budget.js";
import { decodedValue, decodeEscapes } from "../../src/pii/decode.js";

/** The span of `text` as written that the decoded copy's [start, end) comes from. */
function written(text: string, start: number, end: number): string {
  const [entity] = decodeEscapes(text)!.toOriginal([{ type: "T", start, end, score: 1 }]);
  return text.slice(entity!.start, entity!.end);
}

/** The span of `text` as written behind `value` in its decoded copy. */
function writtenAs(text: string, value: string): string {
  const decoded = decodeEscapes(text)!;
  const at = decoded.text.indexOf(value);
  expect(at).toBeGreaterThanOrEqual(0);
  return written(text, at, at + value.length);
}

describe("decodeEscapes", () => {
  it("costs one test and gives nothing for text without escapes", () => {
    expect(decodeEscapes("mail ann@example.com, 50% off, R&D, C:\\users\\bob")).toBeUndefined();
  });

  it("decodes percent-encoding, UTF-8 sequences included", () => {
    expect(decodeEscapes("q=ann.lee%40example.com&tel=%2B14155550132")?.text).toBe("q=ann.lee@example.com&tel=+14155550132");
    expect(decodeEscapes("name=Jos%C3%A9%20Garc%C3%ADa")?.text).toBe("name=José García");
    expect(writtenAs("name=Jos%C3%A9%20Garc%C3%ADa", "José")).toBe("Jos%C3%A9");
  });

  it("reads a byte that starts no UTF-8 sequence as Latin-1", () => {
    expect(decodeEscapes("name=Jos%E9")?.text).toBe("name=José");
  });

  it("decodes \\u escapes, surrogate pairs, \\u{…} and \\x, behind any number of backslashes", () => {
    expect(decodeEscapes("ann.lee\\u0040example.com")?.text).toBe("ann.lee@example.com");
    expect(decodeEscapes('{\\"email\\":\\"ann\\\\u0040x.io\\"}')?.text).toBe('{\\"email\\":\\"ann@x.io\\"}');
    expect(decodeEscapes("\\ud83d\\ude00 \\u{1F600} \\x41")?.text).toBe("😀 😀 A");
    expect(decodeEscapes("b'Jos\\xc3\\xa9' u'Jos\\xe9'")?.text).toBe("b'José' u'José'");
  });

  it("decodes HTML character references, numeric and named", () => {
    expect(decodeEscapes("a&#64;b &#x40; &#X40 &commat; &period; &plus;1&nbsp;415 &amp; &lt;b&gt;")?.text).toBe(
      "a@b @ @ @ . +1\u00a0415 & <b>",
    );
    expect(decodeEscapes("Jos&eacute; M&uuml;ller &Ccedil;elik &scaron;&oslash;")?.text).toBe("José Müller Çelik šø");
  });

  it("leaves what names no character as written", () => {
    expect(decodeEscapes("&madeup; &#0; &#99999999; &xacute; &amp;")?.text).toBe("&madeup; &#0; &#99999999; &xacute; &");
    expect(decodeEscapes("&madeup; only")).toBeUndefined();
  });

  it("decodes escapes that spell escapes again: %2540, \\u0026#64;", () => {
    expect(decodeEscapes("ann%2540x.io")?.text).toBe("ann@x.io");
    expect(decodeEscapes("ann\\u0026#64;x.io")?.text).toBe("ann@x.io");
    expect(writtenAs("ann%2540x.io", "ann@x.io")).toBe("ann%2540x.io");
    expect(written("ann%2540x.io", 3, 4)).toBe("%2540");
  });

  it("maps a span back to every escape it covers, whole, and to nothing more", () => {
    const text = "owner=ann.lee%40example.com&tel=%2B14155550132";
    expect(writtenAs(text, "ann.lee@example.com")).toBe("ann.lee%40example.com");
    expect(writtenAs(text, "+14155550132")).toBe("%2B14155550132");
    expect(writtenAs("ann.lee&commat;example.com!", "@")).toBe("&commat;");
    // A character outside the BMP from a surrogate pair written as two escapes: both escapes.
    expect(writtenAs("x \\ud83d\\ude00 y", "😀")).toBe("\\ud83d\\ude00");
  });

  it("tells which parts of the copy lie around its escapes, widened to whitespace", () => {
    const text = `${"word ".repeat(100)}mail ann.lee%40example.com ${"word ".repeat(100)}and x&#64;y ${"word ".repeat(10)}`;
    const decoded = decodeEscapes(text)!;
    const windows = decoded.around(20);
    expect(windows.map(([start, end]) => decoded.text.slice(start, end))).toEqual(["word word mail ann.lee@example.com word word", "word word word and x@y word word word word"]);
    // Windows that meet are one.
    expect(decoded.around(1000)).toEqual([[0, decoded.text.length]]);
  });

  it("never makes the copy longer than the text", () => {
    const text = "&#128512;".repeat(100) + "\\u{1F600}".repeat(100) + "%F0%9F%98%80".repeat(100);
    expect(decodeEscapes(text)!.text.length).toBeLessThan(text.length);
  });

  it("stops on the scan's deadline", () => {
    let now = 0;
    const deadline = deadlineIn(10, () => (now += 1));
    expect(() => decodeEscapes("&#64;".repeat(100_000), deadline)).toThrow(PiiScanError);
  });
});

describe("decodedValue", () => {
  it("is the value as it reads, or itself", () => {
    expect(decodedValue("ann.lee%40example.com")).toBe("ann.lee@example.com");
    expect(decodedValue("ann.lee@example.com")).toBe("ann.lee@example.com");
  });
});
