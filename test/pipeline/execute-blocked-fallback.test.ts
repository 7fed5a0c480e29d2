/**
 * A fallback or last resort the PII policy refuses the request for (a secret for the cloud, keys its
 * rewrite would merge, a scan that failed closed) is not called once an earlier target failed in a way a
 * retry may cure: the chain goes on past it (its provider's other models included), and that failure
 * stays the one the client gets. At the first target, or after a failure no retry cures (a provider
 * without its key), the refusal is the client's answer at once. Every distinct block is reported once
 * with the outcome (`withheld`), as the actions taken on what the request carried.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import type { PiiSummaryEntry } from "../../src/pii/index.js";
import { PiiBlockedError } from "../../src/pii/sanitize.js";
import { PiiNameCollisionError } from "../../src/pii/walker.js";
import { execute, ExecutionFailedError, type ExecuteDeps } from "../../src/pipeline/stages/execute.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import type { RouteDecision } from "../../src/policy/decide.js";
import { KeepLocalError } from "../../src/pipeline/stages/prepare.js";

type Model = { id: string; location: "local" | "cloud"; providerId: string };
const MODELS: Model[] = [
  { id: "local-a", location: "local", providerId: "llama" },
  { id: "local-b", location: "local", providerId: "server" },
  { id: "cloud-x", location: "cloud", providerId: "openai" },
  { id: "cloud-y", location: "cloud", providerId: "other" },
  { id: "cloud-z", location: "cloud", providerId: "third" },
  // openai's smaller-window model: a trimmed prompt, which may leave the blocked turn out.
  { id: "cloud-x-mini", location: "cloud", providerId: "openai" },
];
const byId = new Map(MODELS.map((m) => [m.id, m]));
const SECRET_BLOCKED: PiiSummaryEntry = { type: "SECRET", action: "block", count: 1 } as PiiSummaryEntry;
const NAME_PSEUDONYMIZED: PiiSummaryEntry = { type: "PERSON", action: "pseudonymize", count: 1 } as PiiSummaryEntry;
const blocked = () => new PiiBlockedError(["SECRET"], [SECRET_BLOCKED], "messages[0]");
// The scan's whole tally: the name the cloud would have got pseudonymized, the secret it blocks.
const blockedWithName = () => new PiiBlockedError(["SECRET"], [NAME_PSEUDONYMIZED, SECRET_BLOCKED], "messages[0]");
const keptLocal = () => new KeepLocalError(["EMAIL_ADDRESS"], [{ type: "EMAIL_ADDRESS", action: "keep_local", count: 1 } as PiiSummaryEntry]);
const overloaded = () => new GatewayError("full", { status: 503, type: "server_error", code: "overloaded", headers: { "retry-after": "2" } });
const authFailed = () => new GatewayError("refused", { status: 502, type: "upstream_error", code: "upstream_auth_failed", headers: { "x-should-retry": "false" } });
const outOfQuota = () => new GatewayError("billing", { status: 429, type: "insufficient_quota", code: "insufficient_quota" });
const loading = () => new GatewayError("loading", { status: 503, type: "server_error", code: "model_loading" });
const rateLimited = () => new GatewayError("slow down", { status: 429, type: "rate_limit_error", code: "upstream_rate_limited" });
const notConfigured = () => new GatewayError("no key", { status: 503, type: "server_error", code: "provider_not_configured" });
const failedToLoad = () => new GatewayError("no such file", { status: 503, type: "server_error", code: "model_unavailable" });
const scanFailed = () => new GatewayError("not checked", { status: 503, type: "server_error", code: "pii_scan_failed" });
const CARD_BLOCKED: PiiSummaryEntry = { type: "CREDIT_CARD", action: "block", count: 1 } as PiiSummaryEntry;
const cardBlocked = () => new PiiBlockedError(["CREDIT_CARD"], [CARD_BLOCKED], "messages[0]");

type Behaviour = Record<string, { prepare?: () => Error; run?: () => Error }>;

function run(behaviour: Behaviour, decision: Partial<RouteDecision>, onHost?: Partial<RouteDecision>, warnings: unknown[] = []) {
  const log = { warn: (fields: unknown) => warnings.push(fields), info() {}, debug() {}, error() {} };
  const ctx = { body: { model: "auto", messages: [] }, tenant: { id: "acme" }, log, signal: new AbortController().signal } as unknown as ChatRequestContext;
  const deps = {
    registry: { get: (id: string) => byId.get(id) },
    catalog: { models: byId },
    contextWindow: () => 100,
    notConfigured: () => new GatewayError("no key", { status: 503, type: "server_error", code: "provider_not_configured" }),
    keepOnHost: () => (onHost ? { kind: "route", route: "local", fallbacks: [], degrade: {}, skipped: [], ...onHost } : undefined),
    prepare: (model: Model) => {
      const b = behaviour[model.id] ?? {};
      if (b.prepare) throw b.prepare();
      const call = async () => {
        if (b.run) throw b.run();
        return { id: "ok", model: model.id };
      };
      return { location: model.location, model, request: {}, dropped: 0, pii: [], restoresPlaceholders: true, provider: { complete: call, stream: call } };
    },
  } as unknown as ExecuteDeps;
  return execute(ctx, { kind: "route", route: "local", fallbacks: [], degrade: {}, skipped: [], ...decision } as RouteDecision, deps);
}

async function failure(answer: Promise<unknown>) {
  try {
    await answer;
  } catch (error) {
    const failed = error as ExecutionFailedError;
    const cause = failed.cause as GatewayError;
    return { code: cause.code, retryAfter: cause.headers["retry-after"], path: [...failed.path], withheld: [...failed.withheld] };
  }
  throw new Error("answered");
}

describe("a fallback the PII policy blocks the request for", () => {
  it("leaves the client the earlier target's failure: an overloaded local model's 503", async () => {
    const result = await failure(run({ "local-a": { run: overloaded }, "cloud-x": { prepare: blocked } }, { model: "local-a", degrade: { cloud: "cloud-x" } }));
    expect(result).toEqual({ code: "overloaded", retryAfter: "2", path: ["local-a"], withheld: [SECRET_BLOCKED] });
  });

  it("leaves the client the earlier failure of a target that was not ready either (it serves once loaded)", async () => {
    const result = await failure(run({ "local-a": { prepare: loading }, "cloud-x": { prepare: blocked } }, { model: "local-a", degrade: { cloud: "cloud-x" } }));
    expect(result).toEqual({ code: "model_loading", path: ["local-a"], withheld: [SECRET_BLOCKED] });
  });

  it("leaves the client a cloud target's rate limit", async () => {
    const result = await failure(run({ "cloud-y": { run: rateLimited }, "cloud-x": { prepare: blocked } }, { model: "cloud-y", route: "cloud", fallbacks: ["cloud-x"] }));
    expect(result).toEqual({ code: "upstream_rate_limited", path: ["cloud-y"], withheld: [SECRET_BLOCKED] });
  });

  it("is passed over for a later target that answers, with the block reported", async () => {
    const execution = await run({ "local-a": { run: overloaded }, "cloud-x": { prepare: blocked } }, { model: "local-a", degrade: { cloud: "cloud-x", local: "local-b" } });
    expect(execution.path).toEqual(["local-a", "local-b"]);
    expect(execution.pii).toEqual([SECRET_BLOCKED]);
  });

  it("reports its blocks only, once, when more than one target is blocked", async () => {
    const execution = await run(
      { "local-a": { run: overloaded }, "cloud-x": { prepare: blockedWithName }, "cloud-z": { prepare: blockedWithName } },
      { model: "local-a", fallbacks: ["cloud-x", "cloud-z"], degrade: { local: "local-b" } },
    );
    expect(execution.path).toEqual(["local-a", "local-b"]);
    expect(execution.pii).toEqual([SECRET_BLOCKED]);
  });

  it("leaves the client the earlier failure when the rewrite would merge two keys (a collision) too", async () => {
    const result = await failure(run({ "local-a": { run: overloaded }, "cloud-x": { prepare: () => new PiiNameCollisionError("<EMAIL_ADDRESS>") } }, { model: "local-a", degrade: { cloud: "cloud-x" } }));
    expect(result).toEqual({ code: "overloaded", retryAfter: "2", path: ["local-a"], withheld: [] });
  });

  it("reports each distinct block once: another type blocked on a later target too", async () => {
    const result = await failure(
      run(
        { "local-a": { run: overloaded }, "cloud-x": { prepare: blocked }, "cloud-z": { prepare: blocked }, "local-b": { prepare: cardBlocked } },
        { model: "local-a", fallbacks: ["cloud-x", "cloud-z", "local-b"] },
      ),
    );
    expect(result).toEqual({ code: "overloaded", retryAfter: "2", path: ["local-a"], withheld: [SECRET_BLOCKED, CARD_BLOCKED] });
  });

  it("leaves the provider's other models in the chain: the refusal is about that call's prompt, not the provider", async () => {
    const execution = await run(
      { "local-a": { run: overloaded }, "cloud-x": { prepare: blocked } },
      { model: "local-a", fallbacks: ["cloud-x", "cloud-x-mini"] },
    );
    expect(execution.path).toEqual(["local-a", "cloud-x-mini"]);
    expect(execution.pii).toEqual([SECRET_BLOCKED]);
  });

  it("is the client's answer after a provider without its key, which a retry does not cure, as the dry run says", async () => {
    const result = await failure(run({ "cloud-y": { run: notConfigured }, "cloud-x": { prepare: blocked } }, { model: "cloud-y", route: "cloud", fallbacks: ["cloud-x"] }));
    expect(result).toEqual({ code: "pii_blocked", path: ["cloud-y", "cloud-x"], withheld: [SECRET_BLOCKED] });
  });

  it.each([
    ["credentials the upstream refuses", authFailed],
    ["an account out of quota", outOfQuota],
    ["a rate limit the upstream says not to retry", () => new GatewayError("slow down", { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", headers: { "x-should-retry": "false" } })],
  ])("is the client's answer after %s, which wait for an operator however often the client retries", async (_what, failing) => {
    const result = await failure(run({ "cloud-y": { run: failing }, "cloud-x": { prepare: blocked } }, { model: "cloud-y", route: "cloud", fallbacks: ["cloud-x"] }));
    expect(result.code).toBe("pii_blocked");
  });

  it("reports the largest count of a type blocked at several targets, once", async () => {
    const found = (count: number) => () => new PiiBlockedError(["SECRET"], [{ type: "SECRET", action: "block", count } as PiiSummaryEntry], "messages[0]");
    const result = await failure(
      run({ "local-a": { run: overloaded }, "cloud-x-mini": { prepare: found(1) }, "cloud-x": { prepare: found(3) } }, { model: "local-a", fallbacks: ["cloud-x-mini", "cloud-x"] }),
    );
    expect(result.withheld).toEqual([{ type: "SECRET", action: "block", count: 3 }]);
  });

  it("is the client's answer after a local model that failed to load, which a retry does not cure either", async () => {
    const result = await failure(run({ "local-a": { prepare: failedToLoad }, "cloud-x": { prepare: blocked } }, { model: "local-a", degrade: { cloud: "cloud-x" } }));
    expect(result.code).toBe("pii_blocked");
  });

  it("is the client's answer after a keep_local redirect, which is no failure, as the dry run says", async () => {
    const result = await failure(run({ "cloud-x": { prepare: keptLocal }, "local-a": { prepare: blockedWithName } }, { model: "cloud-x", route: "cloud" }, { model: "local-a", fallbacks: ["local-b"] }));
    expect(result.code).toBe("pii_blocked");
    expect(result.withheld.map((e) => e.action)).toEqual(["keep_local", "pseudonymize", "block"]);
  });

  it("is the client's answer when it is the first target", async () => {
    const result = await failure(run({ "cloud-x": { prepare: blocked } }, { model: "cloud-x", route: "cloud", fallbacks: ["local-b"] }));
    expect(result).toEqual({ code: "pii_blocked", path: ["cloud-x"], withheld: [SECRET_BLOCKED] });
  });
});

describe("a fallback whose PII scan fails (fail-closed)", () => {
  it("leaves the client the earlier overload's 503 with its Retry-After, not the scan failure", async () => {
    const result = await failure(run({ "local-a": { run: overloaded }, "cloud-x": { prepare: scanFailed } }, { model: "local-a", degrade: { cloud: "cloud-x" } }));
    expect(result).toEqual({ code: "overloaded", retryAfter: "2", path: ["local-a"], withheld: [] });
  });

  it("logs why the scan failed, which no answer tells ops", async () => {
    const warnings: unknown[] = [];
    const why = new Error("recognizer crashed");
    const failedScan = () => new GatewayError("not checked", { status: 503, type: "server_error", code: "pii_scan_failed", cause: why });
    await failure(run({ "local-a": { run: overloaded }, "cloud-x": { prepare: failedScan } }, { model: "local-a", degrade: { cloud: "cloud-x" } }, undefined, warnings));
    const logged = warnings.find((w) => (w as { model?: string }).model === "cloud-x") as { err?: GatewayError };
    expect(logged.err?.cause).toBe(why);
  });

  it("is the client's answer when it is the first target", async () => {
    const result = await failure(run({ "cloud-x": { prepare: scanFailed } }, { model: "cloud-x", route: "cloud", fallbacks: ["local-b"] }));
    expect(result.code).toBe("pii_scan_failed");
  });
});
