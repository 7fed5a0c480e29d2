/**
 * What a reviewer saw reach the cloud: "Write to info@müller-bäckerei.de about my order" went out
 * unchanged, because a domain was read as ASCII only. Domain labels take letters and marks of any
 * script (IDNA), checked by their ASCII form; text of another script glued to the end is not the domain.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";
import { defaultPolicy, valuesOf } from "./support.js";

describe("an email address with a non-ASCII domain, through the gateway", () => {
  const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

  it("reaches the cloud as a placeholder and comes back restored", async () => {
    cloud.fake.reset();
    const content = "Write to info@müller-bäckerei.de about my order";
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content }] });
    expect(answer.status).toBe(200);
    const sent = JSON.parse(cloud.fake.requests[0]!.raw.toString("utf8"));
    expect(sent.messages[0].content).toBe("Write to <EMAIL_ADDRESS_1> about my order");
    expect((answer.json as any).choices[0].message.content).toContain("info@müller-bäckerei.de");
  });
});

describe("EMAIL_ADDRESS with an internationalised domain (recognizer)", () => {
  let engine: PiiEngine;
  beforeAll(() => {
    engine = createPiiEngine(defaultPolicy());
  });
  const emails = (text: string) => valuesOf(engine, "EMAIL_ADDRESS", text);

  it.each([
    ["Write to info@müller-bäckerei.de about my order", "info@müller-bäckerei.de"],
    ["Mail an buero@straße.at schicken", "buero@straße.at"],
    ["Пишите на почта@пример.рф пожалуйста", "почта@пример.рф"],
    ["連絡先: info@例え.jp", "info@例え.jp"],
    ["contact ann@xn--mller-bckerei-hfb76a.de now", "ann@xn--mller-bckerei-hfb76a.de"],
    ["contact ann@пример.xn--p1ai now", "ann@пример.xn--p1ai"],
  ])("finds it in %j", (text, value) => {
    expect(emails(text)).toEqual([value]);
  });

  it.each([
    // Text of another script right after the top-level domain is the sentence's, not the domain's.
    ["連絡先: info@例え.jpです", "info@例え.jp"],
    ["Schreiben Sie an info@müller.deのx", "info@müller.de"],
    ["mail: ann@example.comまで", "ann@example.com"],
    // The sentence's full stop stays out.
    ["Mail info@müller-bäckerei.de.", "info@müller-bäckerei.de"],
  ])("ends the domain where it ends in %j", (text, value) => {
    expect(emails(text)).toEqual([value]);
  });

  it.each(["contact ann@müllerbäckerei for help", "ann@bäckerei.d", "ann@-bäckerei.de", "user@localhost is not routable"])("finds none in %j", (text) => {
    expect(emails(text)).toEqual([]);
  });
});
