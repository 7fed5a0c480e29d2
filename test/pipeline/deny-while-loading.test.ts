/**
 * A request refused because its in-process target is still loading (a gateway that just started, a
 * client that does not wait for /readyz) ends within seconds: the 503 says when to retry, and the
 * official SDKs sleep that out and retry. A target that failed to load stays refused, so that answer
 * keeps `x-should-retry: false` (the SDKs retry every 503 otherwise).
 */
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { denyError } from "../../src/pipeline/deny.js";
import { decide, type DenyDecision, type RouteDecision } from "../../src/policy/decide.js";
import { keptOnHost } from "../../src/policy/fallback.js";
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

describe("a request pii.yaml keeps on the host, naming the local model while it loads", () => {
  const requested = compile(`
version: 1
rules: []
default: { route: requested, pin: true }
`);

  it("is the same 503 with Retry-After, not the cloud last resort the decision took", () => {
    const f = features({ local: { queueDepth: 0, healthy: false }, unhealthyModels: ["local-slm"], loadingModels: ["local-slm"], requestedModel: "local" });
    const decision = decide(f, requested) as RouteDecision;
    expect(decision).toMatchObject({ kind: "route", route: "cloud", fallbackFrom: "local-slm" });
    const kept = keptOnHost(decision, f, requested, ["EMAIL_ADDRESS"]);
    expect(kept?.kind).toBe("deny");
    const error = denyError(kept as DenyDecision, { ...request, model: "local" }, testRegistry(), () => {});
    expect(error).toMatchObject({ status: 503, code: "no_available_target" });
    expect(error.headers["retry-after"]).toBe("5");
    expect(error.headers["x-should-retry"]).toBeUndefined();
  });
});
