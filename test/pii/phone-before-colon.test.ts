/**
 * What a user noticed: a phone number followed by ":" and a port or extension ("sip:+14155550132:5060",
 * "tel 415.555.0132:1") reached the cloud in clear, because any ":" and digit after a number was read as
 * the hours of a time. Only one or two digits before ":" are hours.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const phones = (text: string) => valuesOf(engine, "PHONE_NUMBER", text);

describe("PHONE_NUMBER before a colon and digits", () => {
  it.each([
    ["sip:+14155550132:5060", "+14155550132"],
    ["tel 415.555.0132:1", "415.555.0132"],
  ])("finds the number in %j", (text, value) => {
    expect(phones(text)).toEqual([value]);
  });
});
