/**
 * A value's line is looked at within a bounded reach of the value, so a text of one long line (minified
 * JSON, a log without line breaks) is scanned in time linear in its length. Recognizers that looked for
 * the end of a value's line searched to the end of the text for each value: 1 MB of JSON records with a
 * birth date each took ~10 s in the birth-date recognizer alone, and 1 MB of PEM BEGIN lines without
 * END lines as long in the key recognizer, so such requests failed closed whatever the scan budget.
 *
 * Measured without a clock budget: the values come with a long stretch of text that holds none, which
 * costs a linear scan next to nothing, and cost each value a pass over it before (back to a birth
 * field's line start, on to a PEM key's END line).
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import type { Entity } from "../../src/pii/entity.js";
import { birthDateRecognizer } from "../../src/pii/recognizers/birth-date.js";
import type { Recognizer } from "../../src/pii/recognizers/recognizer.js";
import { secretRecognizers } from "../../src/pii/recognizers/secret.js";

/** What `recognizer` finds in `text`, and the fastest of three scans in milliseconds. */
function timedScan(recognizer: Recognizer, text: string): { ms: number; found: Entity[] } {
  let ms = Infinity;
  let found: Entity[] = [];
  for (let run = 0; run < 3; run++) {
    found = [];
    const start = performance.now();
    recognizer.scan(text, found, NO_DEADLINE);
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, found };
}

/** A megabyte of one line with no value in it. */
const FILLER = " ...".repeat(250_000);

/** Scanning `values` with a megabyte without any costs at most a few times scanning `values` alone. */
function expectLinear(recognizer: Recognizer, values: string, filled: (values: string) => string): void {
  const alone = timedScan(recognizer, values);
  const withFiller = timedScan(recognizer, filled(values));
  expect(withFiller.found.length).toBe(alone.found.length);
  expect(alone.found.length).toBeGreaterThan(1_000);
  // Linear: about the same (the filler scans in a millisecond or two). Quadratic: 10-30 times more.
  expect(withFiller.ms).toBeLessThan(3 * alone.ms + 20);
}

describe("a text of one long line", () => {
  it("with a birth date in each of its records is scanned in linear time", () => {
    expectLinear(birthDateRecognizer(), '{"birth_date":"1990-01-01"},'.repeat(2_000), (values) => FILLER + values);
  });

  it("of PEM BEGIN lines without their END lines is scanned in linear time", () => {
    const pem = secretRecognizers().find((r) => r.name === "secret_pem")!;
    expectLinear(pem, "-----BEGIN PRIVATE KEY-----".repeat(2_000), (values) => values + FILLER);
  });
});

describe("PEM keys found with their END lines looked up once", () => {
  const pem = secretRecognizers().find((r) => r.name === "secret_pem")!;
  const spans = (text: string) => timedScan(pem, text).found.map((e) => text.slice(e.start, e.end));
  const body = "\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAmFoo+bar/baz==\n";

  it("end at the first END line of their own kind after them", () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----${body}-----END RSA PRIVATE KEY-----`;
    expect(spans(`-----END RSA PRIVATE KEY----- ${key} -----END RSA PRIVATE KEY-----`)).toEqual([key]);
    expect(spans(`-----BEGIN PRIVATE KEY-----${body}-----END RSA PRIVATE KEY-----`)).toEqual([`-----BEGIN PRIVATE KEY-----${body}`.trimEnd()]);
    // An END line whose dashes begin the next one.
    const glued = `-----BEGIN PRIVATE KEY-----${body}-----END PRIVATE KEY-----END PRIVATE KEY-----`;
    expect(spans(glued)).toEqual([glued.slice(0, -20)]);
  });

  it("without an END line run through the base64 lines after them, each", () => {
    const twice = `-----BEGIN PRIVATE KEY----- -----BEGIN PRIVATE KEY-----${body}`;
    expect(spans(twice)).toEqual([twice.trimEnd(), twice.slice(28).trimEnd()]);
  });
});
