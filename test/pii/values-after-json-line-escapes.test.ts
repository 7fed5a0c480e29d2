/**
 * JSON text writes a line break or tab inside a string as `\n`, `\r` or `\t`, and a model reads the
 * line break: "Best,\nMaria Gonzalez" signs a letter with a name. As written, the escape's letter is
 * glued to the next word ("nMaria"), so a name, address or phone number right after it went to the
 * cloud. The engine reads such escapes as the white space they stand for; the span it reports is the
 * value as written, and nothing is found where the escape stands before no value.
 */
import { describe, expect, it } from "vitest";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a value right after a JSON line-break or tab escape", () => {
  it.each([
    [String.raw`{"email":"Dear team,\nplease call back.\nBest,\nMaria Gonzalez"}`, "PERSON", "Maria Gonzalez"],
    [String.raw`{"note":"Owner:\tJohn Smith"}`, "PERSON", "John Smith"],
    [String.raw`{"ship_to":"ACME Corp\r\n42 Elm Street, Springfield, IL 62704"}`, "LOCATION", "42 Elm Street, Springfield, IL 62704"],
    [String.raw`{"body":"Call me:\n+1 415 555 0132"}`, "PHONE_NUMBER", "+1 415 555 0132"],
    // JSON inside a JSON string escapes the backslash too.
    [String.raw`{"log":"{\"text\":\"Regards,\\nMaria Gonzalez\"}"}`, "PERSON", "Maria Gonzalez"],
  ])("is found in %s", (text, type, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });

  it("goes to the cloud as a placeholder, the escape kept", () => {
    expect(cloudTextOf(sanitizer, String.raw`{"email":"Thanks!\nBest,\nMaria Gonzalez"}`)).toBe(String.raw`{"email":"Thanks!\nBest,\n<PERSON_1>"}`);
  });

  it("adds nothing where no value follows the escape", () => {
    expect(found(engine, String.raw`printf("Total:\n%d items\tDone\n", n); path = "C:\\new\\Temp"`)).toEqual([]);
  });

  it("costs time linear in a run of backslashes", () => {
    const text = `${"\\".repeat(200_000)}x Maria`;
    expect(leastCpuMs(() => engine.scan(text))).toBeLessThan(2_000);
  });
});
