/**
 * Some encoders write a line break or tab in a string as `\u000a`, `\u000d` or `\u0009` rather than `\n`,
 * `\r` or `\t`. These were read only decoded, not as line escapes: as written, `u000a` stayed glued to the
 * value after it, so `contact\u000akwame.brandt@example.com` was masked from the `u` on, leaving a lone
 * backslash before the placeholder (an invalid escape) and `u000akwame.brandt@example.com` to restore.
 * They are read as `\n` is: the value after them starts after the escape, which stays whole.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

describe("a value right after a \\u000a, \\u000d or \\u0009 escape", () => {
  it.each([
    [String.raw`{"a":"contact\u000akwame.brandt@example.com"}`, "EMAIL_ADDRESS", "kwame.brandt@example.com"],
    [String.raw`{"a":"mail\u000D\u000Atanya.ross@corp.com"}`, "EMAIL_ADDRESS", "tanya.ross@corp.com"],
    [String.raw`{"a":"to:\u0009rachel.kim@corp.com"}`, "EMAIL_ADDRESS", "rachel.kim@corp.com"],
    [String.raw`{"a":"Best,\u000aThandiwe Mokoena"}`, "PERSON", "Thandiwe Mokoena"],
    [String.raw`{"a":"Best,\u000aMaria Gonzalez"}`, "PERSON", "Maria Gonzalez"],
    [String.raw`{"log":"{\"t\":\"Regards,\\u000d\\u000aKwame Brandt\"}"}`, "PERSON", "Kwame Brandt"],
    [String.raw`{"iface":"eth0\u0009aa:bb:cc:dd:ee:01"}`, "MAC_ADDRESS", "aa:bb:cc:dd:ee:01"],
  ])("is found without the escape in %s", (text, type, value) => {
    expect(found(engine, text)).toEqual([[type, value]]);
  });

  it("goes to the cloud as a placeholder, the escape kept, and restores as written", () => {
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, String.raw`{"a":"contact\u000akwame.brandt@example.com"}`, vault)).toBe(String.raw`{"a":"contact\u000a<EMAIL_ADDRESS_1>"}`);
    expect(restore("Mail <EMAIL_ADDRESS_1>.", vault)).toBe("Mail kwame.brandt@example.com.");
  });

  it("adds nothing where no value follows the escape", () => {
    expect(found(engine, String.raw`printf("Total:\u000a%d items\u0009done\u000a", n)`)).toEqual([]);
  });

  it("costs time linear in a run of such escapes", () => {
    const text = `${String.raw`\u000a`.repeat(150_000)}Maria Gonzalez`;
    expect(leastCpuMs(() => engine.scan(text))).toBeLessThan(2_000);
  });
});
