/**
 * An upstream 404 on Chat Completions means the gateway's configuration is wrong (the provider's
 * base_url, the model's upstream_model), not the client's request. It was passed on as a 404
 * `model_not_found`, so the official client raised NotFoundError for a model /v1/models lists, and
 * the policy's fallback chain was never tried. It is now a 502 with the upstream's message, and a
 * chain moves on to its next target.
 */
import OpenAI from "openai";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const NOT_FOUND = {
  kind: "error" as const,
  status: 404,
  body: { error: { message: "The model `upstream-gpt` does not exist", type: "invalid_request_error", code: "model_not_found", param: null } },
};

const FALLBACK_TO_LOCAL = `
version: 1
rules:
  - name: cloud-first
    when: { model: auto }
    then: { route: cloud, fallbacks: [local] }
default: { route: cloud, fallbacks: [local] }
`;

describe("an upstream 404 with no fallback", () => {
  const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });
  beforeEach(() => cloud.fake.reset());

  it("is a 502 naming the provider and quoting the upstream, which the official client raises as a server error", async () => {
    cloud.fake.script(NOT_FOUND);
    const client = new OpenAI({ apiKey: "unused", baseURL: `${cloud.gw.url}/v1`, maxRetries: 0 });
    const failure = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    const error = failure as InstanceType<typeof OpenAI.InternalServerError>;
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_not_found");
    expect(error.message).toContain("'fake'");
    expect(error.message).toContain("The model `upstream-gpt` does not exist");
    expect(cloud.fake.requests).toHaveLength(1);
  });
});

describe("an upstream 404 in a fallback chain", () => {
  const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": FALLBACK_TO_LOCAL } } });
  beforeEach(() => cloud.fake.reset());

  it("moves on to the next target, which answers", async () => {
    cloud.fake.script(NOT_FOUND);
    const res = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "auto", max_tokens: 8, messages: [{ role: "user", content: "Once upon a time" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-route")).toBe("local");
    expect(cloud.fake.requests).toHaveLength(1);
  });
});
