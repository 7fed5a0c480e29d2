/**
 * JSON inside a JSON string escapes its quotes: a log line or a request body pasted into a JSON field reads
 * `{\"password\":\"Tq7kLm9zQx2\"}`. The key-value reading of secrets took a quote only right after the key
 * and around the value, so these passwords and keys went to the cloud in clear while the same JSON
 * unescaped was blocked (found by a review).
 */
import { describe, expect, it } from "vitest";
import { found, patientSanitizer } from "./support.js";

const { engine } = patientSanitizer();

describe("a secret in JSON written inside a JSON string", () => {
  it.each([
    [String.raw`{"log":"{\"password\":\"Tq7kLm9zQx2\"}"}`, "Tq7kLm9zQx2"],
    [String.raw`{"log":"{\"api_key\": \"ak_8fJ2kLq9ZxV3\"}"}`, "ak_8fJ2kLq9ZxV3"],
    [String.raw`"{\n  \"password\": \"Tq7kLm9zQx2\"\n}"`, "Tq7kLm9zQx2"],
    // Nested twice: the backslash is escaped too.
    [String.raw`{"log":"{\\\"db_password\\\":\\\"Tq7kLm9zQx2\\\"}"}`, "Tq7kLm9zQx2"],
  ])("is found in %s", (text, secret) => {
    expect(found(engine, text)).toContainEqual(["SECRET", secret]);
  });

  it("an empty value is none", () => {
    expect(found(engine, String.raw`{\"token\":\"\"}`)).toEqual([]);
  });
});
