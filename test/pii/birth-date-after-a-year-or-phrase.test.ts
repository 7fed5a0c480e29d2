/**
 * What a user noticed: a birth date said with its own year first ("She was born in 1985, on March 12,
 * 1985.") or after a short phrase ("My son was born last month, on <date>") reached the cloud in clear.
 * A year between the birth word and the date only takes the word when it is another year than the date's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const dates = (text: string) => valuesOf(engine, "DATE_TIME", text);
const DAY = 24 * 60 * 60 * 1000;
const lastMonth = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);

describe("DATE_TIME after the birth year or a short phrase", () => {
  it.each([
    ["She was born in 1985, on March 12, 1985.", "March 12, 1985"],
    ["I was born in Leeds in 1985, on 12 March 1985", "12 March 1985"],
    [`My son was born last month, on ${lastMonth}`, lastMonth],
    [`Our daughter was born at home on ${lastMonth}`, lastMonth],
  ])("finds the date in %j", (text, value) => {
    expect(dates(text)).toEqual([value]);
  });
});
