// What a user noticed: schema defaults, validation limits and other columns' values next to a birth field
// ("birth_date date NOT NULL DEFAULT '1970-01-01'", "birthDate: z.date().max(new Date('2010-01-01'))", an empty
// birth_date cell before created_at) were reported as birth dates, so migrations and schemas went to the local
// model. A birth date in the field's own cell, tag or INSERT value is still found.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const dates = (text: string) => valuesOf(engine, "DATE_TIME", text);

describe("a date that is not the birth field's value is not a birth date", () => {
  it.each([
    "ALTER TABLE users ADD COLUMN birth_date date NOT NULL DEFAULT '1970-01-01';",
    "birth_date DATE DEFAULT '1900-01-01',",
    "birthDate: z.date().max(new Date('2010-01-01'))",
    "id,birth_date,created_at\n4,,2023-05-01",
    "<birthDate/><createdAt>2023-05-01</createdAt>",
    "birth_date: null, created_at: 2023-05-01",
  ])("%s", (text) => {
    expect(dates(text)).toEqual([]);
  });
});

describe("the birth field's own value is still found", () => {
  it.each([
    ["id,name,birth_date\n4,Ana Lopez,1985-03-12", "1985-03-12"],
    ["id,birth_date,created_at\n4,1985-03-12,2023-05-01", "1985-03-12"],
    ["<birthDate>1985-03-12</birthDate>", "1985-03-12"],
    ["INSERT INTO users (name, birth_date) VALUES ('Ana','1985-03-12');", "1985-03-12"],
    ["INSERT INTO users (name, birth_date) VALUES('Ana','1985-03-12');", "1985-03-12"],
    ["birth_date\t1985-03-12", "1985-03-12"],
    ["birthDate 1985-03-12", "1985-03-12"],
    ["birth_date: 1985-03-12", "1985-03-12"],
    ["user.birthDate = '1985-03-12'", "1985-03-12"],
  ])("%s", (text, date) => {
    expect(dates(text)).toEqual([date]);
  });
});
