/**
 * A text of one long line (minified JSON, a log without line breaks) is scanned in time linear in its
 * length. Recognizers that looked for the end of a value's line searched to the end of the text for each
 * value: 1 MB of JSON records with a birth date each took ~10 s in the birth-date recognizer alone, and
 * 1 MB of PEM BEGIN lines without END lines as long in the key recognizer, so such requests failed closed
 * on the scan budget whatever it was.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import type { Entity } from "../../src/pii/entity.js";
import { birthDateRecognizer } from "../../src/pii/recognizers/birth-date.js";
import type { Recognizer } from "../../src/pii/recognizers/recognizer.js";
import { secretRecognizers } from "../../src/pii/recognizers/secret.js";

/** Milliseconds `recognizer` takes on `text`, and what it finds. */
function timedScan(recognizer: Recognizer, text: string): { ms: number; found: Entity[] } {
  const found: Entity[] = [];
  const start = performance.now();
  recognizer.scan(text, found, NO_DEADLINE);
  return { ms: performance.now() - start, found };
}

const MB = 1_000_000;
const repeated = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

describe("a text of one long line", () => {
  it("with a birth date in every record is scanned in linear time", () => {
    const recognizer = birthDateRecognizer();
    timedScan(recognizer, repeated('{"birth_date":"1990-01-01"},', 1_000)); // compiled and warm
    const { ms, found } = timedScan(recognizer, repeated('{"birth_date":"1990-01-01"},', MB));
    expect(found.length).toBe(Math.floor(MB / 28));
    expect(ms).toBeLessThan(1000);
  });

  it("of PEM BEGIN lines without their END lines is scanned in linear time", () => {
    const recognizer = secretRecognizers().find((r) => r.name === "secret_pem")!;
    timedScan(recognizer, "-----BEGIN PRIVATE KEY-----".repeat(10)); // compiled and warm
    const { ms, found } = timedScan(recognizer, repeated("-----BEGIN PRIVATE KEY-----", MB));
    expect(found.length).toBe(Math.ceil(MB / 27) - 1);
    expect(ms).toBeLessThan(1000);
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
