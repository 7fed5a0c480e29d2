/**
 * A pasted table's name column is masked to its last row, as exports and hand edits write rows: one
 * that drops its empty last cell or has a trailing comma, a Markdown row without its last pipe, a quoted
 * CSV cell over several lines (a note), or `"Surname, Jr."` with the delimiter inside. Each of these
 * ended the table, and every name below it went to the cloud as written.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { nameColumnsRecognizer } from "../../src/pii/recognizers/name-columns.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name column goes on past rows of another width", () => {
  it.each([
    ["a CSV row without its empty last cell", "first_name,last_name,email\nIgnacy,Wojcik\nOyelaran,Brzeczek,ob@example.com", "first_name,last_name,email\n<PERSON_1>,<PERSON_2>\n<PERSON_3>,<PERSON_4>,<EMAIL_ADDRESS_1>"],
    ["a CSV row with a trailing comma", "last_name,amount\nWojcik,120,\nBrzeczek,80", "last_name,amount\n<PERSON_1>,120,\n<PERSON_2>,80"],
    ["a TSV row without its last cell", "Surname\tDept\tRoom\nWojcik\tSales\nBrzeczek\tOps\t4", "Surname\tDept\tRoom\n<PERSON_1>\tSales\n<PERSON_2>\tOps\t4"],
    ["a `;` row without its last cell", "id;Last Name;plan\n1;Wojcik\n2;Brzeczek;free", "id;Last Name;plan\n1;<PERSON_1>\n2;<PERSON_2>;free"],
    ["Markdown rows without their last or first pipe", "| Surname | team |\n|---|---|\n| Wojcik | Sales\nBrzeczek | Ops |\n| Przybylski | QA |", "| Surname | team |\n|---|---|\n| <PERSON_1> | Sales\n<PERSON_2> | Ops |\n| <PERSON_3> | QA |"],
    ["a Markdown table whose header follows text on its line", "Found: | Surname | team |\n|---|---|\n| Wojcik | Sales |\n| Brzeczek | Ops", "Found: | Surname | team |\n|---|---|\n| <PERSON_1> | Sales |\n| <PERSON_2> | Ops"],
    ["a pipe table without outer pipes, CRLF", "Surname | team\r\n--- | ---\r\nWojcik | Sales\r\nBrzeczek | Ops\r\n", "Surname | team\r\n--- | ---\r\n<PERSON_1> | Sales\r\n<PERSON_2> | Ops\r\n"],
  ])("%s", (_label, text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["a sentence after the table", "first_name,last_name,email\nIgnacy,Wojcik,iw@example.com\nPlease dedupe these, and tell me which are duplicates.\nThanks for the list, Sales Team"],
    ["a sign-off after the table", "first_name,last_name,email\nIgnacy,Wojcik,iw@example.com\nThanks, Sales Team\nRegards, Support Desk"],
    ["a blank line, then another CSV", "last_name,amount\nWojcik,120\n\nProduct,price\nWidget Pro,9"],
  ])("ends at %s", (_label, text) => {
    const out = cloudTextOf(sanitizer, text).split("\n");
    expect(out.slice(2)).toEqual(text.split("\n").slice(2));
  });
});

describe("quoted CSV cells", () => {
  it.each([
    ["a note over two lines", 'last_name,note\nWojcik,"called twice\nwants a refund"\nBrzeczek,ok', 'last_name,note\n<PERSON_1>,"called twice\nwants a refund"\n<PERSON_2>,ok'],
    ["a note over lines ending in CRLF", 'last_name;note\r\nWojcik;"line one\r\nline two"\r\nBrzeczek;ok\r\n', 'last_name;note\r\n<PERSON_1>;"line one\r\nline two"\r\n<PERSON_2>;ok\r\n'],
    ["the delimiter and doubled quotes inside", 'last_name,first_name,note\n"Przybylski, Jr.",Ignacy,"says ""hi"", twice"\nBrzeczek,Oyelaran,x', 'last_name,first_name,note\n"<PERSON_1>",<PERSON_2>,"says ""hi"", twice"\n<PERSON_3>,<PERSON_4>,x'],
    ["a quote that never closes", 'last_name,note\nWojcik,"unclosed\nBrzeczek,ok\nPrzybylski,ok', 'last_name,note\n<PERSON_1>,"unclosed\n<PERSON_2>,ok\n<PERSON_3>,ok'],
  ])("%s", (_label, text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});

describe("where the header stands", () => {
  it("under a line of prose with as many commas", () => {
    expect(cloudTextOf(sanitizer, "Hello team, please dedupe:\nfirst_name,last_name\nIgnacy,Wojcik")).toBe("Hello team, please dedupe:\nfirst_name,last_name\n<PERSON_1>,<PERSON_2>");
  });

  it.each([
    ["a data dictionary listing the columns", "column,type,description\nfirst_name,varchar,Given Name\nlast_name,varchar,Family Name\nemail,varchar,Contact Email"],
    ["a product list's name column", "name,price,sku\nWidget Pro,9.99,A1\nGadget Max,5,B2"],
    ["a Markdown table of config keys", "| key | default |\n|---|---|\n| first_name_field | First Name |\n| last_name_label | Family Name |"],
  ])("no header in %s", (_label, text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });
});

describe("hostile tables stay linear", () => {
  const recognizer = nameColumnsRecognizer();
  // A linear scan of these 0.4-2.2 MB takes 5-200 ms of CPU; one that read each row's 4 KB reach
  // again, or split a row per cell, takes seconds.
  it.each([
    ["100k rows", `last_name,amount\n${"Wojcik,120\n".repeat(100_000)}`],
    ["100k ragged rows", `first_name,last_name,email\n${"Wojcik,Brzeczek\n".repeat(100_000)}`],
    ["a stray quote on each of 200k rows", `last_name,note\n${'Wojcik,"x\n'.repeat(200_000)}`],
    ["20k rows whose quote never closes", `last_name,note\n${`Wojcik,"${"y".repeat(100)}\n`.repeat(20_000)}`],
    ["a quoted cell over 200k lines", `last_name,note\nWojcik,"${"x\n".repeat(200_000)}"\nBrzeczek,ok`],
    ["one row of 1M characters in quotes", `last_name,note\nWojcik,"${"x".repeat(1_000_000)}"\nBrzeczek,ok`],
    ["rows of 4,000 delimiters", `last_name${",".repeat(4_000)}\n${`Wojcik${",".repeat(4_000)}\n`.repeat(500)}`],
    ["Markdown rows of 400 pipes", `| Surname |${" x |".repeat(400)}\n${`|${" Wojcik |".repeat(400)}\n`.repeat(500)}`],
    // Each line under a header is first tried as a Markdown rule (`|---|`); that pattern backtracked over a
    // line's blanks in time quadratic in them: ~25 ms for each 4 KB line, ~2.5 s of CPU a megabyte.
    ["rule-like lines of 4,000 blanks under headers", `first_name,last_name\n---${" ".repeat(4_000)}x\n`.repeat(250)],
    ["rows that start with 4,000 blanks", `first_name,last_name\n${`${" ".repeat(4_000)}Wojcik,Brzeczek\n`.repeat(250)}`],
  ])("%s", (_label, text) => {
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(1_000);
  });
});
