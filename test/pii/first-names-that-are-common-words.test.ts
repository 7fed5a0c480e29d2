// What a user noticed: names whose first name is also an ordinary word ("Frank", "Bill", "Will", "Hope",
// "Summer", "Ruby", "Max", "Ray", "Dean", "Penny", "Holly") reached the cloud in clear whenever they opened a
// sentence, a line, a sign-off, a labelled field ("Owner:") or a CSV row, because any known word at a
// sentence start was taken for a capitalised verb ("Using Jackson …"). Only instruction words and
// determiners ("Using", "Install", "The") are read that way now.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const people = (text: string) => valuesOf(engine, "PERSON", text);

describe("a first name that is also a common word is found at a sentence, line or field start", () => {
  it.each([
    ["Best regards,\nBill Jackson", ["Bill Jackson"]],
    ["Thanks,\nFrank Miller\nAccount Manager", ["Frank Miller"]],
    ["Regards,\nRuby Williams", ["Ruby Williams"]],
    ["Owner: Frank Miller", ["Frank Miller"]],
    ["Owner: Bill Jackson", ["Bill Jackson"]],
    ["Assigned to: Hope Williams", ["Hope Williams"]],
    ["Customer: Penny Johnson", ["Penny Johnson"]],
    ["Max Johnson wants a refund for order 1001.", ["Max Johnson"]],
    ["Frank Miller called yesterday.", ["Frank Miller"]],
    ["Will Smith asked for a refund.", ["Will Smith"]],
    ["Summer Davis reported the bug.", ["Summer Davis"]],
    ["Ticket #4471. Ray Smith says the export fails.", ["Ray Smith"]],
    ['"Frank Miller" <frank@example.com>', ["Frank Miller"]],
    ["From: Dean Williams <dw@example.com>", ["Dean Williams"]],
    ["- Mark Johnson (sales)\n- Bill Jackson (support)", ["Mark Johnson", "Bill Jackson"]],
    ["name,email\nFrank Miller,fm@example.com\nHolly Davis,hd@example.com", ["Frank Miller", "Holly Davis"]],
  ])("%s", (text, names) => {
    expect(people(text)).toEqual(names);
  });
});
