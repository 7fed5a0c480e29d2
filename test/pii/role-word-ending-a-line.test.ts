// What a user noticed: a capitalised word opening the line after one that ended in a role noun ("…for that
// user", "Ask the customer") was masked as a person, so "Thanks", "Please Note" and "Welcome Screen" reached
// the cloud as <PERSON_1> and the model answered about a person. A role noun introduces a name only on its
// own line; a label or "my name is" still may stand on the line above the name.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const people = (text: string) => valuesOf(engine, "PERSON", text);

describe("a role noun ending its line introduces no name on the next", () => {
  it.each([
    "Please reset the password for that user\nThanks",
    "Ask the customer\nPlease Note the change in the refund policy.",
    "Log in as the admin user\nWelcome Screen shows an error.",
    "Escalate to the tenant\nBilling Portal is down.",
  ])("%s", (text) => {
    expect(people(text)).toEqual([]);
  });
});

describe("an introduction still reaches the name", () => {
  it.each([
    ["Customer Kwame Brandt asked for a refund.", ["Kwame Brandt"]],
    ["Name:\nKwame Brandt", ["Kwame Brandt"]],
    ["My name is\nKwame Brandt", ["Kwame Brandt"]],
    ["Please reset the password for that user\nThanks, Frank Miller", ["Frank Miller"]],
  ])("%s", (text, names) => {
    expect(people(text)).toEqual(names);
  });
});
