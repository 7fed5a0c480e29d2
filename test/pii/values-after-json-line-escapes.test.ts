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
    // A capital of another script, and a phone number's bracket (review).
    [String.raw`{"email":"Best,\nÉmilie Dubois"}`, "PERSON", "Émilie Dubois"],
    [String.raw`{"note":"Call:\n(415) 555-0134"}`, "PHONE_NUMBER", "(415) 555-0134"],
    // Escapes right before the one glued to the value (a mail body's CRLF, a blank line) are read with it,
    // or the sign-off or label before them stays glued to their letter (review).
    [String.raw`{"body":"Hi,\r\n\r\nSee you then.\r\nRegards,\r\nThandiwe Mokoena\r\n"}`, "PERSON", "Thandiwe Mokoena"],
    [String.raw`{"a":"Regards,\n\nThandiwe Mokoena"}`, "PERSON", "Thandiwe Mokoena"],
    // Python's json.dumps writes non-ASCII letters as \u escapes by default: the line escape is read in
    // the decoded text too (review).
    [String.raw`{"note": "Best,\n\u00c9milie Dubois"}`, "PERSON", String.raw`\u00c9milie Dubois`],
    [String.raw`{"note": "Best,\nMaria Gonz\u00e1lez"}`, "PERSON", String.raw`Maria Gonz\u00e1lez`],
    // Values that start in lower case, which the escape's letter hid (review).
    [String.raw`{"log":"key:\tsk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34"}`, "SECRET", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34"],
    [String.raw`{"log":"auth\tglpat-xK9mQ2vL7pR4tN8wZ3bY"}`, "SECRET", "glpat-xK9mQ2vL7pR4tN8wZ3bY"],
    [String.raw`{"iface":"eth0\taa:bb:cc:dd:ee:01"}`, "MAC_ADDRESS", "aa:bb:cc:dd:ee:01"],
    // Lower-case starts the second review found hidden: URLs, MACs with dashes or dots, labels, honorifics.
    [String.raw`{"body":"Link:\nhttps://example.com/u/maria-gonzalez?token=abc"}`, "URL", "https://example.com/u/maria-gonzalez?token=abc"],
    [String.raw`{"iface":"eth0\taa-bb-cc-dd-ee-01"}`, "MAC_ADDRESS", "aa-bb-cc-dd-ee-01"],
    [String.raw`{"cfg":"x\nssn: 536224187\n"}`, "US_SSN", "536224187"],
    [String.raw`{"cfg":"x\nmr Kwame Brandt\n"}`, "PERSON", "Kwame Brandt"],
    // Spaces or indentation after the escape, and between escapes (second review).
    [String.raw`{"a":"Regards,\n  Kwame Brandt"}`, "PERSON", "Kwame Brandt"],
    [String.raw`{"a":"Regards,\n \nKwame Brandt"}`, "PERSON", "Kwame Brandt"],
    [String.raw`{"a":"Regards,\r\n\r\n    Kwame Brandt"}`, "PERSON", "Kwame Brandt"],
    // The line breaks before the escape that opens the reading are read too: a Markdown label's line start.
    [String.raw`{"a":"x\n## Client\n\nKwame Brandt"}`, "PERSON", "Kwame Brandt"],
    // Any line where a value may follow opens a reading, not only a list of value starts (third review).
    [String.raw`{"a":"tok\neyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I2PSRH3sdQ"}`, "SECRET", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I2PSRH3sdQ"],
    [String.raw`{"a":"x\nssn 536224187"}`, "US_SSN", "536224187"],
    [String.raw`record:\nssn="536224187"`, "US_SSN", "536224187"],
    [String.raw`{"a":"iban\nde89 3704 0044 0532 0130 00"}`, "IBAN_CODE", "de89 3704 0044 0532 0130 00"],
    [`{"a":"Regards,\\n\u00a0Kwame Brandt"}`, "PERSON", "Kwame Brandt"],
    // The escape's letter is no part of a value found as written (third review: "nkwame.brandt@…").
    [String.raw`{"a":"contact\nkwame.brandt@example.com"}`, "EMAIL_ADDRESS", "kwame.brandt@example.com"],
  ])("is found in %s", (text, type, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });

  it("goes to the cloud as a placeholder, the escape kept", () => {
    expect(cloudTextOf(sanitizer, String.raw`{"email":"Thanks!\nBest,\nMaria Gonzalez"}`)).toBe(String.raw`{"email":"Thanks!\nBest,\n<PERSON_1>"}`);
  });

  it("keeps the escape whole before an address glued to it", () => {
    expect(cloudTextOf(sanitizer, String.raw`{"a":"contact\nkwame.brandt@example.com"}`)).toBe(String.raw`{"a":"contact\n<EMAIL_ADDRESS_1>"}`);
  });

  it("adds nothing where no value follows the escape", () => {
    expect(found(engine, String.raw`printf("Total:\n%d items\tDone\n", n); path = "C:\\new\\Temp"`)).toEqual([]);
  });

  // Read in place of the text, `\\r7` (a backslash, then r7) turned into white space split the secret, which
  // went out in clear: the reading adds to the text as written (review of the first version).
  it.each([
    String.raw`{"password": "Tq\r7#kLm!9zQ"}`,
    String.raw`{"password": "Zx9!kLm\tQ7#p"}`,
    String.raw`{"db_password": "S3cure\nPass!"}`,
    String.raw`{"client_secret": "aZ3\t9fGh2Lq0Xv8Rt"}`,
    String.raw`{"password": "Tq\\r7#kLm!9zQ"}`,
    String.raw`{"db_password": "S3cure\\nPass!"}`,
  ])("leaves a secret holding a backslash and n, r or t whole in %s", (text) => {
    const secret = JSON.parse(text) as Record<string, string>;
    const value = Object.values(secret)[0]!;
    expect(found(engine, text)).toContainEqual(["SECRET", JSON.stringify(value).slice(1, -1)]);
  });

  // The escapes before the one read were pushed as one call's arguments: half a million threw a RangeError.
  it("reads a text of half a million escapes before a name without throwing", () => {
    expect(found(engine, `${String.raw`\n`.repeat(499_000)}Maria Gonzalez`)).toContainEqual(["PERSON", "Maria Gonzalez"]);
  });

  it("costs time linear in a run of backslashes", () => {
    const text = `${"\\".repeat(200_000)}x Maria`;
    expect(leastCpuMs(() => engine.scan(text))).toBeLessThan(2_000);
  });
});
