/**
 * A request refused because its in-process target is still loading (a gateway that just started, a
 * client that does not wait for /readyz) ends within seconds: the 503 says when to retry, and the
 * official SDKs sleep that out and retry. A target that failed to load stays refused, so that answer
 * keeps `x-should-retry: false` (the SDKs retry every 503 otherwise).
 */
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { denyError } from "../../src/pipeline/deny.js";
import { decide, type DenyDecision } from "../../src/policy/decide.js";
import { compile, features } from "../policy/support.js";
import { testRegistry } from "../usage/fixtures.js";

const onlyLocal = compile(`
version: 1
rules: []
default: { route: local-slm, degrade: false }
`);
const request = { model: "auto", messages: [{ role: "user", content: "Hello" }] } as ChatCompletionRequest;

function refusal(patch: Parameters<typeof features>[0]) {
  const decision = decide(features({ local: { queueDepth: 0, healthy: false }, unhealthyModels: ["local-slm"], ...patch }), onlyLocal);
  expect(decision.kind).toBe("deny");
  return denyError(decision as DenyDecision, request, testRegistry(), () => {});
}

describe("a request refused while the local model loads", () => {
  it("is a 503 with Retry-After and no x-should-retry: false", () => {
    const error = refusal({ loadingModels: ["local-slm"] });
    expect(error.status).toBe(503);
    expect(error.code).toBe("no_available_target");
    expect(error.headers["retry-after"]).toBe("5");
    expect(error.headers["x-should-retry"]).toBeUndefined();
  });

  it("once it failed to load, the 503 says not to retry", () => {
    const error = refusal({});
    expect(error.status).toBe(503);
    expect(error.headers["x-should-retry"]).toBe("false");
    expect(error.headers["retry-after"]).toBeUndefined();
  });
});
