/**
 * What a user noticed: birth dates in a CSV export, an XML record, an SQL INSERT or a tab-separated
 * column ("id,name,birth_date\n4,Ana Lopez,1985-03-12", "<birthDate>1985-03-12</birthDate>") reached the
 * cloud in clear, because a birth word inside a field name only counted with ":" or "=" before the date.
 * Only a comparison (`birth_date < '2000-01-01'`) makes such a date no one's birth date.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const dates = (text: string) => valuesOf(engine, "DATE_TIME", text);

describe("DATE_TIME under a birth field name", () => {
  it.each([
    "id,name,birth_date\n4,Ana Lopez,1985-03-12",
    "name | birth_date\nAna | 1985-03-12",
    "<birthDate>1985-03-12</birthDate>",
    "<BirthDate>1985-03-12</BirthDate>",
    "INSERT INTO users (name, birth_date) VALUES ('Ana','1985-03-12');",
    "birth_date\t1985-03-12",
    "birthDate 1985-03-12",
  ])("finds the date in %j", (text) => {
    expect(dates(text)).toEqual(["1985-03-12"]);
  });
});
