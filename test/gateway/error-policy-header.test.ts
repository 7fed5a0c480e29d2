/**
 * `x-switchyard-policy` names the policy version that decided a request on every response
 * (docs/POLICIES.md), refusals included: ops tracing a 403 right after a hot reload need to know which
 * version denied it. A request that failed after falling back says which models it tried.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: no-drafts
    when: { metadata: { stage: draft } }
    then: { deny: { status: 403, code: policy_denied, message: "Drafts are not served." } }
  - name: cloud-then-cloud
    when: { metadata: { stage: chain } }
    then: { route: fake-gpt, fallbacks: [gpt-4o], degrade: false }
default: { route: cloud }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });

const messages = [{ role: "user", content: "hello" }];

describe("x-switchyard-policy on refusals and failures", { timeout: 60_000 }, () => {
  it("a policy deny names the version that denied it, the one the dry run reports", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", { model: "auto", messages, metadata: { stage: "draft" } });
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "auto", messages, metadata: { stage: "draft" } });
    expect(real.status).toBe(403);
    expect(dry.headers.get("x-switchyard-policy")).toMatch(/^[0-9a-f]{12}$/);
    expect(real.headers.get("x-switchyard-policy")).toBe(dry.headers.get("x-switchyard-policy"));
  });

  it("a request whose every target failed names the version and the models it tried", async () => {
    cloud.fake.script({ kind: "error", status: 500 }, { kind: "error", status: 500 });
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "auto", messages, metadata: { stage: "chain" } });
    expect(real.status).toBe(502);
    expect(real.headers.get("x-switchyard-policy")).toMatch(/^[0-9a-f]{12}$/);
    // The header's bytes are the UTF-8 arrow; fetch reads them as Latin-1 (see `fallbackHeaderValue`).
    expect(Buffer.from(real.headers.get("x-switchyard-fallback") ?? "", "latin1").toString("utf8")).toBe("fake-gpt→gpt-4o");
  });

  it("a refusal before any model is called names the version in the dry run as in the real request", async () => {
    const body = { model: "auto", messages: [{ role: "user", content: "my token is ghp_abcdefghijklmnopqrstuvwxyz0123456789 please" }] };
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
    expect(real.status).toBe(400);
    expect(dry.status).toBe(real.status);
    expect(real.headers.get("x-switchyard-policy")).toMatch(/^[0-9a-f]{12}$/);
    expect(dry.headers.get("x-switchyard-policy")).toBe(real.headers.get("x-switchyard-policy"));
    expect(dry.headers.get("x-switchyard-pii")).toBe(real.headers.get("x-switchyard-pii"));
  });
});
