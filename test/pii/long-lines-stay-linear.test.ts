/**
 * A text of one long line (minified JSON, a log without line breaks) is scanned in time linear in its
 * length. Recognizers that looked for the end of a value's line searched to the end of the text for each
 * value: 1 MB of JSON records with a birth date each took ~10 s in the birth-date recognizer alone, so
 * such requests failed closed on the scan budget whatever it was.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import type { Entity } from "../../src/pii/entity.js";
import { birthDateRecognizer } from "../../src/pii/recognizers/birth-date.js";
import type { Recognizer } from "../../src/pii/recognizers/recognizer.js";

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

});
