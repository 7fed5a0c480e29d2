/**
 * A routing rule's `pii:` action replaces pii.yaml's for the route it picks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: billing-redacts
    when: { metadata: { team: billing } }
    then: { route: cloud, pii: redact }
  - name: support-keeps-local
    when: { metadata: { team: support } }
    then: { route: cloud, fallbacks: [local], pii: keep_local }
default: { route: cloud }
`;

let fake: FakeOpenAI;
let gw: TestGateway;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "routing.yaml": ROUTING } });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

const ask = (team: string) =>
  gw
    .client()
    .chat.completions.create({ model: "auto", metadata: { team }, max_tokens: 4, messages: [{ role: "user", content: "Please reply to maria.lopez@example.net about her refund" }] })
    .withResponse();

describe("per-route PII action", () => {
  it("uses pii.yaml's action (pseudonymize) when the rule sets none", async () => {
    fake.reset();
    await ask("sales");
    expect(fake.requests[0]?.raw.toString()).toContain("<EMAIL_ADDRESS_1>");
  });

  it("redacts instead when the rule says redact", async () => {
    fake.reset();
    const { response } = await ask("billing");
    const sent = fake.requests[0]?.raw.toString() ?? "";
    expect(sent).toContain("<EMAIL_ADDRESS>");
    expect(sent).not.toContain("maria.lopez");
    expect(response.headers.get("x-switchyard-pii")).toContain("EMAIL_ADDRESS=redact:1");
  });

  it("answers locally when the rule keeps PII on the host", async () => {
    fake.reset();
    const { response } = await ask("support");
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(fake.requests).toHaveLength(0);
  });
});
