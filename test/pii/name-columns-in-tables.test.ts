/**
 * A pasted table whose header names a person's field (CSV, TSV, `;`-separated, Markdown) has its names
 * masked in that column: a cell alone ("Gonzalez", "Kowalska") gave no name rule anything to go on, so
 * exports went out with every surname and every name the lexicon does not know.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { nameColumnsRecognizer } from "../../src/pii/recognizers/name-columns.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("names in a table column headed by a person's field", () => {
  it.each([
    ["CSV after a line of prose", "Import these:\nfirst_name,last_name,email\nMaria,Gonzalez,mg@example.com\nAnna,Kowalska,ak@example.com", "Import these:\nfirst_name,last_name,email\n<PERSON_1>,<PERSON_2>,<EMAIL_ADDRESS_1>\n<PERSON_3>,<PERSON_4>,<EMAIL_ADDRESS_2>"],
    ["CSV with CRLF, then prose", "last_name,amount\r\nKowalska,120\r\nALVAREZ,80\r\n\r\nSum it up.", "last_name,amount\r\n<PERSON_1>,120\r\n<PERSON_2>,80\r\n\r\nSum it up."],
    ["`;`-separated", "id;Last Name;plan\n1;Kowalska;pro\n2;Brandt;free", "id;Last Name;plan\n1;<PERSON_1>;pro\n2;<PERSON_2>;free"],
    ["TSV", "First Name\tSurname\tDept\nAnna\tKowalska\tSales", "First Name\tSurname\tDept\n<PERSON_1>\t<PERSON_2>\tSales"],
    ["Markdown", "| Surname | team |\n|---|---|\n| Kowalska | Sales |\n| Brzeczyszczykiewicz | Ops |", "| Surname | team |\n|---|---|\n| <PERSON_1> | Sales |\n| <PERSON_2> | Ops |"],
    ["names that are common words too", "first_name,last_name\nWill,Young\nRose,Hill\nHope,Baker", "first_name,last_name\n<PERSON_1>,<PERSON_2>\n<PERSON_3>,<PERSON_4>\n<PERSON_5>,<PERSON_6>"],
    ["a quoted `Surname, Given` cell", 'full_name,amount\n"Kowalska, Anna",120', 'full_name,amount\n"<PERSON_1>",120'],
  ])("%s", (_label, text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("leaves cells that are no name, columns that are no person's, and lines after the table", () => {
    const text = "full_name,name,amount\nn/a,Express,80\nacme-bot,React,5\n42,Vue,1\n\nlast_name was Kowalska in the old export, fix it";
    const out = cloudTextOf(sanitizer, text);
    expect(out.split("\n").slice(0, 4)).toEqual(["full_name,name,amount", "n/a,Express,80", "acme-bot,React,5", "42,Vue,1"]);
  });

  it.each([
    ["a form schema: its rows name fields, its labels are no names", "field,label,required\nfirst_name,First Name,true\nlast_name,Last Name,true\nemail,Email Address,true"],
    ["columns of fields that hold companies and products as often", "display_name,customer_name,nickname\nContoso Marketing,Acme Corp,Foo Fighters"],
    ["sample rows of placeholders", "first_name,last_name,role\nTest,Account,qa\nSample,User,ops"],
  ])("leaves %s", (_label, text) => {
    expect(cloudTextOf(sanitizer, text).split("\n").slice(1)).toEqual(text.split("\n").slice(1));
  });

  it.each([",", "\t", "|"])("costs little on one long header-like line of %j (splitting it cost ~0.4 s of CPU a megabyte)", (delimiter) => {
    const recognizer = nameColumnsRecognizer();
    const text = `last_name${delimiter}${delimiter.repeat(990_000)}`;
    // A linear scan of the line's characters takes a few ms of CPU under any load.
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(100);
  });
});
