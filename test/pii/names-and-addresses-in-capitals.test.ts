/**
 * Names and postal addresses written in capitals, as shipping labels, US postal addresses, SEPA/SWIFT
 * beneficiaries, airline bookings and CRM exports write them. They went to the cloud in clear under the
 * shipped policy: runs of capitals were never read as names, and street types matched only as "Street".
 * Capitals are also how log lines, SQL, headings and shouting are written, so those must stay untouched.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";
import { found, patientPolicy } from "./support.js";

// The answer repeats the last user message as the cloud saw it, so the client gets its own text back.
const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

describe("through the gateway to a cloud model, under the shipped policy", () => {
  it.each([
    [
      "SHIP TO: MR JOHN SMITH, 42 ELM STREET, SPRINGFIELD, IL 62704",
      "SHIP TO: MR <PERSON_1>, <LOCATION_1>",
      ["JOHN SMITH", "ELM STREET", "SPRINGFIELD", "62704"],
    ],
    [
      "BENEFICIARY: MARIA GONZALEZ, IBAN DE89370400440532013000",
      "BENEFICIARY: <PERSON_1>, IBAN <IBAN_CODE_1>",
      ["MARIA", "GONZALEZ", "DE89370400440532013000"],
    ],
    ["Deliver to 221B BAKER STREET, LONDON NW1 6XE", "Deliver to <LOCATION_1>", ["BAKER STREET", "LONDON", "NW1 6XE"]],
  ])("sends %j as %j and restores the answer", async (text, sent, values) => {
    cloud.fake.reset();
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content: text }] });
    expect(answer.status).toBe(200);
    expect(cloud.fake.requests).toHaveLength(1);
    const raw = cloud.fake.requests[0]!.raw.toString("utf8");
    for (const value of values) expect(raw).not.toContain(value);
    expect(JSON.parse(raw).messages[0].content).toBe(sent);
    expect((answer.json as any).choices[0].message.content).toBe(text);
  });
});

describe("the name and place recognizer on text in capitals", () => {
  let engine: PiiEngine;
  beforeAll(() => {
    engine = createPiiEngine(patientPolicy());
  });

  it.each([
    // A first name and a surname the lexicon knows, alone.
    ["JOHN SMITH", [["PERSON", "JOHN SMITH"]]],
    ["JOSÉ GARCÍA LÓPEZ", [["PERSON", "JOSÉ GARCÍA LÓPEZ"]]],
    ["TOM JENKINS PIPELINE FAILED", [["PERSON", "TOM JENKINS"]]],
    // After an honorific, which is left out, or a colon label: names the lexicon does not know too.
    ["MR KWAME BRANDT", [["PERSON", "KWAME BRANDT"]]],
    ["DEAR MR OKAFOR, YOUR ORDER HAS SHIPPED", [["PERSON", "OKAFOR"]]],
    ["MR. JOHN O'BRIEN", [["PERSON", "JOHN O'BRIEN"]]],
    ["NAME: KWAME BRANDT", [["PERSON", "KWAME BRANDT"]]],
    ["PASSENGER: KWAME BRANDT", [["PERSON", "KWAME BRANDT"]]],
    ["MY NAME IS KWAME BRANDT", [["PERSON", "KWAME BRANDT"]]],
    // MS and DR are as often MS SQL or disaster recovery: a name the lexicon knows after them.
    ["DR JOHN SMITH", [["PERSON", "JOHN SMITH"]]],
    // After a label, a name with a word the lexicon knows, or two or three unknown words; it ends before a team's word.
    ["CUSTOMER: JOHN SMITH", [["PERSON", "JOHN SMITH"]]],
    ["CUSTOMER: MARIA OKAFOR", [["PERSON", "MARIA OKAFOR"]]],
    ["ATTN: KWAME BRANDT BILLING", [["PERSON", "KWAME BRANDT"]]],
    ["ATTN: JOHN SMITH, BILLING DEPARTMENT", [["PERSON", "JOHN SMITH"]]],
    ["CUSTOMER: JOHN LEWIS PLC", [["PERSON", "JOHN LEWIS"]]],
    // An airline booking's name, surname first.
    ["SMITH/JOHN MR", [["PERSON", "SMITH/JOHN"]]],
    ["GONZALEZ/MARIA ELENA MRS", [["PERSON", "GONZALEZ/MARIA ELENA"]]],
    ["PAX 1 OKAFOR/KWAME MR SEAT 12A", [["PERSON", "OKAFOR/KWAME"]]],
    // Addresses: street types, units and a city with its state's code in capitals.
    ["APT 5, 42 ELM ST, SPRINGFIELD, IL 62704", [["LOCATION", "42 ELM ST, SPRINGFIELD, IL 62704"]]],
    ["42 MAPLE AVENUE APT 5, PORTLAND, OR 97201", [["LOCATION", "42 MAPLE AVENUE APT 5, PORTLAND, OR 97201"]]],
    [
      "1600 PENNSYLVANIA AVENUE NW\nWASHINGTON, DC 20500",
      [
        ["LOCATION", "1600 PENNSYLVANIA AVENUE"],
        ["LOCATION", "WASHINGTON, DC 20500"],
      ],
    ],
  ])("finds in %j: %j", (text, expected) => {
    expect(found(engine, text)).toEqual(expected);
  });

  it.each([
    "ERROR CONNECTION REFUSED",
    "GET /API HTTP/1.1",
    "AWS US EAST",
    "PLEASE READ THE README",
    "SELECT NAME FROM USERS",
    "SELECT NAME, EMAIL FROM CUSTOMER WHERE ID = 5",
    "CREATE TABLE USERS (ID INT PRIMARY KEY, NAME TEXT NOT NULL)",
    "PLEASE HELP ME NOW",
    "TERMS AND CONDITIONS",
    "NEW YORK TIMES",
    "FATAL ERROR: NULL POINTER EXCEPTION IN MAIN THREAD",
    "WARNING: DISK USAGE ABOVE 90 PERCENT ON NODE WORKER",
    "MS SQL SERVER",
    "TIMEOUT AFTER 500 MS ELAPSED",
    "DR SITE FAILOVER",
    "DR REGION FAILOVER COMPLETE",
    "MX RECORD POINTS TO MAIL SERVER",
    "MR PIPELINE FAILED",
    "CUSTOMER SERVICE TEAM",
    "EMPLOYEE ONBOARDING CHECKLIST",
    "ATTN: ACCOUNTS PAYABLE",
    "JORDAN PLEASE CALL",
    "USING JACKSON LIBRARY",
    "INSTALL JENKINS SERVER",
    "UPGRADE TO A 2 TB DRIVE",
    "TCP/IP",
    "CI/CD PIPELINE",
    "READ/WRITE MS",
    // Teams, departments, infrastructure and companies after a label are no people.
    "ATTN: BILLING DEPARTMENT",
    "Recipient: DEVOPS TEAM",
    "NAME: PRODUCTION CLUSTER EU",
    "CUSTOMER: ACME CORPORATION LTD",
    "ATTN: ACME SUPPORT",
    "SHIP TO: NORTHWIND TRADERS",
    "MR ACME CORPORATION",
    "CUSTOMER: ACME",
  ])("finds nothing in %j", (text) => {
    expect(found(engine, text)).toEqual([]);
  });

  it("reads hyphenated and apostrophised names in mixed case as before", () => {
    expect(found(engine, "ask Jean-Luc Picard about it")).toEqual([["PERSON", "Jean-Luc Picard"]]);
    expect(found(engine, "Anne-Marie Dupont")).toEqual([["PERSON", "Anne-Marie Dupont"]]);
    expect(found(engine, "Dear Mr O'Brien")).toEqual([["PERSON", "O'Brien"]]);
    expect(found(engine, "pre-Kwame Brandt said")).toEqual([["PERSON", "Kwame Brandt"]]);
    expect(found(engine, "MR JEAN-LUC PICARD")).toEqual([["PERSON", "JEAN-LUC PICARD"]]);
  });

  // Every part of a hyphenated word in capitals was tried again as a run's start up to the word's end: 100 KB of
  // "AB-" took seconds (quadratic). Generous bounds: linear scans take tens of milliseconds.
  it.each(["AB-", "A-", "Ab-", "A'", "x-AB-", "aB-AB-", "AB--", "ÄbÄb", "A/", "A, ", "AB "])(
    "scans 100 KB of %j in linear time",
    (unit) => {
      const text = unit.repeat(Math.ceil(100_000 / unit.length));
      const started = performance.now();
      engine.scan(text);
      expect(performance.now() - started).toBeLessThan(1_000);
    },
  );

  it("reads mixed-case names and addresses as before", () => {
    expect(found(engine, "Ship to John Smith, 42 Elm Street, Springfield, IL 62704")).toEqual([
      ["PERSON", "John Smith"],
      ["LOCATION", "42 Elm Street, Springfield, IL 62704"],
    ]);
  });
});
