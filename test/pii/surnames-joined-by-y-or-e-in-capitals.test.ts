/**
 * A name in capitals joins its surnames with "Y" or "E", or with "y" or "e" as in title case ("MARIA GONZALEZ Y
 * PEREZ", "MARIA SILVA e SANTOS"). A lone "Y" is no word in capitals, so it ended the run, and "PEREZ", alone,
 * started no name: it went to the cloud beside <PERSON_1>. A name in capitals now goes on through the joiner to
 * the surnames the lexicon knows after it; other words after a joiner stay out of it.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("surnames joined by y or e in a name written in capitals", () => {
  it.each([
    ["Ask MARIA GONZALEZ Y PEREZ today", "Ask <PERSON_1> today"],
    ["Ask MARIA GONZALEZ y PEREZ today", "Ask <PERSON_1> today"],
    ["Ask MARIA SILVA E SANTOS today", "Ask <PERSON_1> today"],
    ["Ask MARIA SILVA e SANTOS today", "Ask <PERSON_1> today"],
    ["NAME: MARIA GONZALEZ Y PEREZ", "NAME: <PERSON_1>"],
    ["SHIP TO: MARIA GONZALEZ Y PEREZ LOPEZ", "SHIP TO: <PERSON_1>"],
    ["MR JOHN SMITH Y JONES", "MR <PERSON_1>"],
    ["Ask MARIA GONZALEZ Y\nPEREZ today", "Ask <PERSON_1> today"],
  ])("%j goes out as one placeholder", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["ERROR CONNECTION REFUSED Y RETRY", "ERROR CONNECTION REFUSED Y RETRY"],
    ["JOHN SMITH Y PARIS", "<PERSON_1> Y PARIS"],
    ["SHIP TO: MARIA GONZALEZ Y BILLING DEPARTMENT", "SHIP TO: <PERSON_1> Y BILLING DEPARTMENT"],
  ])("but no word the lexicon does not know as a surname: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
