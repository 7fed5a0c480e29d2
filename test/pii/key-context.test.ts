/**
 * A JSON value scanned with its key as context: the key helps find the value, and is never itself
 * reported as part of it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { findingsWithKey } from "../../src/pii/key-context.js";
import { defaultPolicy } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const found = (value: string, key: string) =>
  findingsWithKey((text) => engine.scan(text), value, key).map((e) => [e.type, value.slice(e.start, e.end)]);

describe("findings of a value read with its key", () => {
  it("are found through the key, camelCase keys included, at the value's own offsets", () => {
    expect(found("536224187", "ssn")).toEqual([["US_SSN", "536224187"]]);
    expect(found("1985-03-12", "dateOfBirth")).toEqual([["DATE_TIME", "1985-03-12"]]);
    expect(found("536224187", "order_id")).toEqual([]);
  });

  it("never include the key, even when the key is PII", () => {
    expect(found("vip", "ann.lee@example.com")).toEqual([]);
  });

  it("keep what the value alone shows, and scan a long value whole", () => {
    const long = `${"lorem ipsum ".repeat(40)}mail ann.lee@example.com`;
    expect(found(long, "notes")).toEqual([["EMAIL_ADDRESS", "ann.lee@example.com"]]);
    expect(found(`536224187 ${"x".repeat(400)}`, "ssn")).toEqual([["US_SSN", "536224187"]]);
  });
});
