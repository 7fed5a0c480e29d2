// What a user noticed: product names after "This is", a mail-header word, a meeting or sign-off phrase, or
// before a colon became people ("This is Visual Studio Code.", "From: Apache Kafka docs", "Sent by Jenkins
// Pipeline", "Docker Desktop: please restart it"), so ordinary tool questions went to the local model and the
// cloud saw <PERSON_1>. Unknown names after the same phrases are still found.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const people = (text: string) => valuesOf(engine, "PERSON", text);

describe("a product after a phrase that introduces people is not a person", () => {
  it.each([
    "This is Docker Desktop, a tool.",
    "This is Entity Framework Core.",
    "This is Visual Studio Code.",
    "This is Apache Kafka in a nutshell.",
    "This is Android Studio.",
    "This is Jupyter Notebook.",
    "Docker Desktop: please restart it",
    "From: Apache Kafka docs",
    "Meeting with Apache Kafka maintainers",
    "Sent by Jenkins Pipeline",
    "Opened by Renovate Bot",
  ])("%s", (text) => {
    expect(people(text)).toEqual([]);
  });
});

describe("people after the same phrases are still found", () => {
  it.each([
    ["From: Kwame Brandt <kb@example.com>", "Kwame Brandt"],
    ["I spoke with Oluwaseun Adeyemi", "Oluwaseun Adeyemi"],
    ["Approved by Kwame Brandt", "Kwame Brandt"],
    ["This is Kwame Brandt from Acme", "Kwame Brandt"],
    ["Hi, this is Kwame Brandt.", "Kwame Brandt"],
    ["This is Kwame Brandt speaking.", "Kwame Brandt"],
    ["Kwame Brandt: please call me back.", "Kwame Brandt"],
    ["Kwame Brandt: I'll be late today.", "Kwame Brandt"],
    ["Meeting with Kwame Brandt at 3pm", "Kwame Brandt"],
  ])("%s", (text, name) => {
    expect(people(text)).toEqual([name]);
  });
});
