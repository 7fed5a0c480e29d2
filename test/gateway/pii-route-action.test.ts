/**
 * A routing rule's `pii:` action replaces pii.yaml's cloud rules for the route it picks; on the host,
 * pii.yaml's `local` rules apply whatever the rule says (docs/POLICIES.md#actions).
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: billing-redacts
    when: { metadata: { team: billing } }
    then: { route: cloud, pii: redact }
  - name: support-keeps-local
    when: { metadata: { team: support } }
    then: { route: cloud, fallbacks: [local], pii: keep_local }
  - name: local-redacts
    when: { metadata: { team: local-redact } }
    then: { route: local, pii: redact }
  - name: local-blocks
    when: { metadata: { team: local-block } }
    then: { route: local, pii: block }
default: { route: cloud }
`;

const cloud = fakeCloudGateway({ models: { maxRetries: 2 }, gateway: { files: { "routing.yaml": ROUTING } } });

const MESSAGES = [{ role: "user" as const, content: "Please reply to maria.lopez@example.net about her refund" }];
const ask = (team: string) => cloud.gw.client().chat.completions.create({ model: "auto", metadata: { team }, max_tokens: 4, messages: MESSAGES }).withResponse();

describe("per-route PII action", () => {
  it("uses pii.yaml's action (pseudonymize) when the rule sets none", async () => {
    cloud.fake.reset();
    await ask("sales");
    expect(cloud.fake.requests[0]?.raw.toString()).toContain("<EMAIL_ADDRESS_1>");
  });

  it("redacts instead when the rule says redact", async () => {
    cloud.fake.reset();
    const { response } = await ask("billing");
    const sent = cloud.fake.requests[0]?.raw.toString() ?? "";
    expect(sent).toContain("<EMAIL_ADDRESS>");
    expect(sent).not.toContain("maria.lopez");
    expect(response.headers.get("x-switchyard-pii")).toContain("EMAIL_ADDRESS=redact:1");
  });

  it("answers locally when the rule keeps PII on the host", async () => {
    cloud.fake.reset();
    const { response } = await ask("support");
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it.each([["local-redact"], ["local-block"]])("leaves the local route to pii.yaml's local rules (%s): the original text, no refusal", async (team) => {
    cloud.fake.reset();
    const body = { model: "auto", metadata: { team }, max_tokens: 4, messages: MESSAGES };
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(200);
    expect(real.headers.get("x-switchyard-route")).toBe("local");
    // pii.yaml's local rule (allow): nothing was rewritten or blocked, so there is nothing to report.
    expect(real.headers.get("x-switchyard-pii")).toBeNull();
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
    expect(dry.json.reasons).toContain(`pii action for cloud targets: ${team.slice("local-".length)} (on the host, pii.yaml's local rules apply)`);
    expect(cloud.fake.requests).toHaveLength(0);
  });
});
