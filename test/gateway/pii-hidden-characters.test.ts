/**
 * PII written full-width or with invisible characters inside reads as the plain value to a cloud
 * model: it must not reach one in any of those forms. What the fake upstream receives is what left
 * the host; its answer repeats the user message as the cloud saw it, so the client gets it restored.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway({ fake: { echo: true }, models: { maxRetries: 2 }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

const ask = (content: string) => postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content }] });

/** The body the fake upstream received, as sent and with invisible characters and full-width forms read plainly. */
function receivedUpstream(): { raw: string; asRead: string } {
  expect(cloud.fake.requests).toHaveLength(1);
  const raw = cloud.fake.requests[0]!.raw.toString("utf8");
  const decoded = JSON.stringify(JSON.parse(raw));
  return { raw, asRead: decoded.replace(/[\p{Cf}]/gu, "").normalize("NFKC") };
}

const ZWSP = "\u200b";
const SHY = "\u00ad";

describe("PII written with full-width or invisible characters", () => {
  it.each([
    ["a full-width phone number and card", "折り返しは ＋８１ ９０－１２３４－５６７８ まで。カード ４１１１－１１１１－１１１１－１１１１", ["90-1234-5678", "4111-1111-1111-1111"]],
    ["a full-width SSN, IP address and e-mail", "SSN ５３６－２２－４１８７, host １９２．１６８．１０．２４, mail ann.smith＠example.com", ["536-22-4187", "192.168.10.24", "ann.smith@example.com"]],
    ["zero-width spaces in an e-mail, a card and an IBAN", `mail ann.smith${ZWSP}@example.com, card ${"4111111111111111".split("").join(ZWSP)}, IBAN DE89${ZWSP}370400440532013000`, ["ann.smith@example.com", "4111111111111111", "DE89370400440532013000"]],
    ["soft hyphens in a name and a card", `Please email Jo${SHY}hn Smith, card 4111${SHY}1111${SHY}1111${SHY}1111`, ["John", "Smith", "4111111111111111"]],
  ])("sends none of %s to the cloud, and the answer restores them", async (_, content, plain) => {
    cloud.fake.reset();
    const answer = await ask(content);
    expect(answer.status).toBe(200);
    const { raw, asRead } = receivedUpstream();
    for (const value of plain) expect(asRead).not.toContain(value);
    expect(raw).not.toContain(ZWSP);
    expect(raw).not.toContain(SHY);
    expect((answer.json as any).choices[0].message.content).toContain(content);
  });

  it("refuses a GitHub token with a zero-width space inside and sends nothing", async () => {
    cloud.fake.reset();
    const answer = await ask(`deploy with ghp_${ZWSP}abcdefghijklmnopqrstuvwxyz0123456789 please`);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: "pii_blocked" } });
    expect(cloud.fake.requests).toHaveLength(0);
  });
});
