/**
 * An upstream's error reaches the client as OpenAI would have sent it, as far as the gateway's own
 * mapping allows: clients branch on `code` (`insufficient_quota` is a billing problem, not
 * throttling; retrying does not help), and the SDK waits as long as a `Retry-After` asks, also on a
 * server error the gateway answers as 502.
 */
import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { mapUpstreamError } from "../../src/providers/cloud/upstream-errors.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING } from "../support/gateway.js";

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });
const ask = { model: "cloud", messages: [{ role: "user" as const, content: "What is the capital of France?" }] };

async function failure(): Promise<{ status: number; code: unknown; type: unknown; headers: Headers }> {
  const error = (await cloud.gw.client().chat.completions.create(ask).catch((e: unknown) => e)) as InstanceType<typeof APIError>;
  expect(error).toBeInstanceOf(APIError);
  return { status: error.status as number, code: error.code, type: error.type, headers: error.headers as Headers };
}

describe("upstream error codes", () => {
  it("keep an upstream 429's own code and type (insufficient_quota is not throttling)", async () => {
    cloud.fake.script({ kind: "error", status: 429, body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota", param: null } } });
    expect(await failure()).toMatchObject({ status: 429, code: "insufficient_quota", type: "insufficient_quota" });
  });

  it("name a 429 without a code upstream_rate_limited, a rate_limit_error", async () => {
    cloud.fake.script({ kind: "error", status: 429, body: { error: { message: "slow down" } } });
    expect(await failure()).toMatchObject({ status: 429, code: "upstream_rate_limited", type: "rate_limit_error" });
  });

  it("keep an upstream 503's Retry-After on the 502 the client gets", async () => {
    cloud.fake.script({ kind: "error", status: 503, headers: { "retry-after": "1" }, body: { error: { message: "overloaded", type: "server_error", code: null } } });
    const answer = await failure();
    expect(answer.status).toBe(502);
    expect(answer.headers.get("retry-after")).toBe("1");
  });

  it("keep the code and type of an error event inside a stream", () => {
    const inStream = new APIError(undefined, { message: "The server had an error", type: "server_error", code: "server_error" }, undefined, new Headers());
    const mapped = mapUpstreamError(inStream, "openai");
    expect(mapped).toMatchObject({ status: 502, type: "server_error", code: "server_error" });
    expect(mapped.message).toContain("The server had an error");
  });
});
