/**
 * A pasted table whose header names a person's field (CSV, TSV, `;`-separated, Markdown) has its names
 * masked in that column: a cell alone ("Gonzalez", "Kowalska") gave no name rule anything to go on, so
 * exports went out with every surname and every name the lexicon does not know.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("names in a table column headed by a person's field", () => {
  it.each([
    ["CSV after a line of prose", "Import these:\nfirst_name,last_name,email\nMaria,Gonzalez,mg@example.com\nAnna,Kowalska,ak@example.com", "Import these:\nfirst_name,last_name,email\n<PERSON_1>,<PERSON_2>,<EMAIL_ADDRESS_1>\n<PERSON_3>,<PERSON_4>,<EMAIL_ADDRESS_2>"],
    ["CSV with CRLF, then prose", "last_name,amount\r\nKowalska,120\r\nALVAREZ,80\r\n\r\nSum it up.", "last_name,amount\r\n<PERSON_1>,120\r\n<PERSON_2>,80\r\n\r\nSum it up."],
    ["`;`-separated", "id;Last Name;plan\n1;Kowalska;pro\n2;Brandt;free", "id;Last Name;plan\n1;<PERSON_1>;pro\n2;<PERSON_2>;free"],
    ["TSV", "First Name\tSurname\tDept\nAnna\tKowalska\tSales", "First Name\tSurname\tDept\n<PERSON_1>\t<PERSON_2>\tSales"],
    ["Markdown", "| Surname | team |\n|---|---|\n| Kowalska | Sales |\n| Brzeczyszczykiewicz | Ops |", "| Surname | team |\n|---|---|\n| <PERSON_1> | Sales |\n| <PERSON_2> | Ops |"],
    ["a quoted `Surname, Given` cell", 'customer_name,amount\n"Kowalska, Anna",120', 'customer_name,amount\n"<PERSON_1>",120'],
  ])("%s", (_label, text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it("leaves cells that are no name, columns that are no person's, and lines after the table", () => {
    const text = "customer_name,name,amount\nn/a,Express,80\nacme-bot,React,5\n42,Vue,1\n\nlast_name was Kowalska in the old export, fix it";
    const out = cloudTextOf(sanitizer, text);
    expect(out.split("\n").slice(0, 4)).toEqual(["customer_name,name,amount", "n/a,Express,80", "acme-bot,React,5", "42,Vue,1"]);
  });
});
