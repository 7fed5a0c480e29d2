/**
 * The dry run's `pii.actions` is "the action the PII engine would take for the chosen target": with a
 * rule overriding `pii:` it used to show pii.yaml's own action (pseudonymize) while the real request
 * sent the address as the rule said (allow, redact).
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: trusted
    when: { metadata: { egress: allow } }
    then: { route: fake-gpt, pii: allow }
  - name: redacted
    when: { metadata: { egress: redact } }
    then: { route: fake-gpt, pii: redact }
default: { route: fake-gpt }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });

const messages = [{ role: "user", content: "Please write to maria.lopez@example.net about her refund" }];

describe("dry run pii.actions", { timeout: 60_000 }, () => {
  it.each([
    ["allow", { egress: "allow" }],
    ["redact", { egress: "redact" }],
    ["pseudonymize", undefined],
  ])("names the action the real request takes (%s), as its x-switchyard-pii says", async (action, metadata) => {
    const body = { model: "auto", messages, ...(metadata ? { metadata } : {}) };
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-pii")).toBe(`EMAIL_ADDRESS=${action}:1`);
    expect((dry.json.pii as { actions?: Record<string, string> }).actions).toEqual({ EMAIL_ADDRESS: action });
  });
});
