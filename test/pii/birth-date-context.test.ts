/**
 * What a user noticed: dates near a birth word that say nothing about when someone was born were reported
 * as birth dates: a SQL bound on a birth_date column ("WHERE birth_date < '2000-01-01'"), the day a
 * birthday reminder job ran, a company "born in 2015" and incorporated on March 12, 2015, a "born-again"
 * sprint. Each such request left the cloud route and the cloud saw <DATE_TIME_1> in place of the date.
 * Birth dates next to their label ("born on …", "DOB: …", "birth_date: …") are still found.
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
const isoDaysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const lastMonth = isoDaysFromNow(-30);
const nextMonth = isoDaysFromNow(30);

describe("DATE_TIME near a birth word that is no birth date", () => {
  it.each([
    "SELECT id FROM users WHERE birth_date < '2000-01-01'",
    "Why does WHERE birth_date > '1990-01-01' not use the index on users.birth_date?",
    "filter patients with birthDate >= 1980-01-01 and birthDate <= 1989-12-31",
    `The birthday reminder job ran on ${lastMonth} and sent nothing.`,
    `The birthday feature ships ${nextMonth}; users set their birth date in settings.`,
    "Our company was born in 2015 and incorporated on March 12, 2015.",
    "Born-again sprint kicks off 2014-04-02.",
  ])("finds none in %j", (text) => {
    expect(dates(text)).toEqual([]);
  });
});

describe("DATE_TIME that is a birth date", () => {
  it.each([
    ["birth_date: 1985-03-12", "1985-03-12"],
    ["birth-date: 1985-03-12", "1985-03-12"],
    ['{"birth_date": "1985-03-12", "name": "Ann"}', "1985-03-12"],
    ["UPDATE users SET birth_date = '1985-03-12' WHERE id = 7", "1985-03-12"],
    ["She was born in Osaka on 12 March 1985.", "12 March 1985"],
    ["born in 1960; her son was born on 4 May 1990", "4 May 1990"],
    // A newborn's birth date is recent, and still one when said outright.
    [`Baby Lea was born on ${lastMonth}, weight 3.2 kg`, lastMonth],
    [`DOB: ${lastMonth}`, lastMonth],
  ])("finds it in %j", (text, value) => {
    expect(dates(text)).toEqual([value]);
  });
});
