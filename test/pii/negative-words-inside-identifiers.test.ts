// What a user noticed: a JSON record such as {"phone":"4155550132","userId":7} or {"taxId":"536-22-4187",
// "homePhone":"n/a"} reached the cloud with the phone number or SSN in clear, because a counter-evidence word
// ("id", "phone") at the end of a neighbouring camelCase key ("userId", "homePhone") was read as the value's own
// label. A policy's custom negative_context [app, test, id] likewise fired on "WhatsApp", "unitTest" and
// "customerId". Only the IPv4 recognizer's version words ("AssemblyVersion") may count inside an identifier.
import { beforeAll, describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import type { Entity } from "../../src/pii/entity.js";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { customRecognizer } from "../../src/pii/recognizers/custom.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

describe("a counter-evidence word at the end of a neighbouring key does not hide the value", () => {
  it.each([
    ['{"phone":"4155550132","userId":7}', "PHONE_NUMBER", "4155550132"],
    ['{"userId":7,"tel":"4155550132"}', "PHONE_NUMBER", "4155550132"],
    ['{"id":1,"phoneNumber":"+14155550132","clientId":"c-1"}', "PHONE_NUMBER", "+14155550132"],
    ['{"taxId":"536-22-4187","homePhone":"n/a"}', "US_SSN", "536-22-4187"],
    ['{"mobilePhone":"x","ssn":"536224187"}', "US_SSN", "536224187"],
    ["ssn 536224187 iPhone", "US_SSN", "536224187"],
  ])("%s", (text, type, value) => {
    expect(valuesOf(engine, type, text)).toEqual([value]);
  });
});

describe("a policy's negative_context words count as words, not as the end of an identifier", () => {
  const memberScans = (text: string) => {
    const recognizer = customRecognizer({
      type: "MEMBER_NO",
      pattern: "M[0-9]{8}",
      case_insensitive: false,
      score: 0.6,
      context: ["member"],
      negative_context: ["app", "test", "id"],
    });
    const out: Entity[] = [];
    recognizer.scan(text, out, NO_DEADLINE);
    return out;
  };
  const memberNumbers = (text: string) => memberScans(text).map((e) => text.slice(e.start, e.end));
  const fullScore = (text: string) => memberScans(text).every((e) => e.score === 0.6);

  it.each(["Reach me on WhatsApp, M12345678", "ticket from unitTest M12345678", "customerId 7 M12345678"])("%s", (text) => {
    expect(memberNumbers(text)).toEqual(["M12345678"]);
    expect(fullScore(text)).toBe(true);
  });

  it("the word itself still counts against the match", () => {
    expect(fullScore("the app build M12345678")).toBe(false);
  });
});
