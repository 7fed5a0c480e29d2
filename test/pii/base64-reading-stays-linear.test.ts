/**
 * Reading base64 text costs time proportional to the text, and stops when the scan's budget is spent.
 * A mail part's header (`Content-Transfer-Encoding: base64`) once searched to the end of the text for
 * the blank line ending the headers, from each such header: 1 MB of those headers took ~3.5 s, and the
 * engine, given 250 ms, returned after ~3.3 s (the reading never looked at the deadline). And reading
 * each finding's value back (valueReader, after the scan, to pseudonymize it) walked every base64 text
 * of the text: 40,000 blobs, each with an address inside, took ~2.7 s.
 */
import { describe, expect, it } from "vitest";
import { deadlineIn, PiiScanError } from "../../src/pii/budget.js";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { decodeEscapes, valueReader } from "../../src/pii/decode.js";
import { createPiiEngine } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

/** Milliseconds `run` takes. */
function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const headers = "Content-Transfer-Encoding: base64\n".repeat(Math.floor(1_000_000 / 34));

describe("mail parts that say they are base64", () => {
  it("1 MB of headers with no blank line after them is read in linear time", () => {
    // Linear: a few ms; it was ~3.5 s.
    expect(timed(() => base64Texts(headers))).toBeLessThan(1000);
  });

  it("a blank line far after many headers is searched for once", () => {
    const text = `${headers}\n${Buffer.from("hello there").toString("base64")}\n`;
    let found: ReturnType<typeof base64Texts> = [];
    expect(timed(() => (found = base64Texts(text)))).toBeLessThan(1000);
    // The first header within 4096 characters of the blank line takes the body; the ones after it are
    // inside that part's headers.
    expect(found.map((part) => part.text)).toEqual(["hello there"]);
  });

  it("the engine's scan of such a text keeps within a multiple of its budget", () => {
    const engine = createPiiEngine(defaultPolicy());
    const ms = timed(() => {
      try {
        engine.scan(headers, deadlineIn(250));
      } catch (error) {
        if (!(error instanceof PiiScanError)) throw error; // failing closed is fine
      }
    });
    expect(ms).toBeLessThan(1000);
  });
});

describe("the scan's deadline", () => {
  it("stops the reading of a text of base64 candidates", () => {
    const blobs = Array.from({ length: 2_000 }, (_, i) => Buffer.from(`{"e":"a${i}@b.io"}`).toString("base64")).join(" ");
    expect(() => base64Texts(blobs, deadlineIn(-1))).toThrow(PiiScanError);
    expect(base64Texts(blobs)).toHaveLength(2_000);
  });

  it("stops the reading of base64 candidates that only decoding escapes makes", () => {
    // `%3DeyJ…` is no candidate as written (a letter before it); `=eyJ…` is, once the escape is read.
    // 600 escapes are fewer than the decoding looks at the deadline after; 600 candidates are not.
    const blobs = Array.from({ length: 600 }, (_, i) => `s%3D${Buffer.from(`{"e":"a${i}@b.io"}`).toString("base64")}`).join(" ");
    expect(base64Texts(blobs)).toEqual([]);
    expect(() => decodeEscapes(blobs, deadlineIn(-1))).toThrow(PiiScanError);
  });
});

describe("values read back where they stand", () => {
  it("40,000 base64 blobs, each a finding, are read in linear time", () => {
    const blobs = Array.from({ length: 40_000 }, (_, i) => Buffer.from(`{"e":"a${i}@b.io"}`).toString("base64"));
    const text = blobs.join(" ");
    const found = base64Texts(text);
    expect(found).toHaveLength(40_000);
    const read = valueReader(text);
    read(found[0]!.start, found[0]!.end, false); // the text's layer is found on the first read
    // Linear: ~150-200 ms warm, a few µs a read; it was ~2.7 s (~1.5-2.2 s for 30,000).
    expect(timed(() => found.forEach((blob) => read(blob.start, blob.end, false)))).toBeLessThan(1000);
    expect(read(found[7]!.start, found[7]!.end, false)).toBe(blobs[7]);
  });
});
