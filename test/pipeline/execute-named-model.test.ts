/**
 * The executor and the model the client named that the decision passed over as not callable
 * (`RouteDecision.fallbackFrom`): reported as the first hop of the fallback it stands for, unless it
 * became ready between the decision and the call — then it is called first, as it would have been.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { overloaded, unavailable } from "../../src/errors.js";
import type { ModelEntry, ModelRegistry } from "../../src/models/registry.js";
import { execute } from "../../src/pipeline/stages/execute.js";
import type { PreparedCall } from "../../src/pipeline/stages/prepare.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";
import { decide, type RouteDecision } from "../../src/policy/decide.js";
import { catalog, compile, features } from "../policy/support.js";

const entry = (id: string, location: "local" | "cloud", providerId: string): ModelEntry => ({
  id,
  providerId,
  location,
  upstreamModel: id,
  path: undefined,
  contextWindow: 8192,
  maxOutputTokens: 64,
  capabilities: { tools: true, json_schema: true, vision: false },
  price: undefined,
});
const models = [entry("local-slm", "local", "local"), entry("gpt-4o-mini", "cloud", "openai")];
const registry = { get: (id: string) => models.find((m) => m.id === id) } as ModelRegistry;

/** The shipped shape: a client naming the local model while it loads gets the default cloud model. */
function namedWhileLoading(): RouteDecision {
  const policy = compile(`version: 1\nrules: []\ndefault: { route: requested, pin: true }\n`);
  const down = { local: { queueDepth: 0, healthy: false }, unhealthyModels: ["local-slm"], loadingModels: ["local-slm"], requestedModel: "local" };
  const decision = decide(features(down), policy);
  if (decision.kind !== "route") throw new Error("expected a route");
  expect(decision).toMatchObject({ model: "gpt-4o-mini", fallbackFrom: "local-slm" });
  return decision;
}

function run(decision: RouteDecision, notReady: ModelEntry | undefined, fails: Record<string, Error> = {}) {
  const called: string[] = [];
  const ctx = { requestId: "r", tenant: { id: "t" }, body: { model: "local", messages: [] }, header: () => undefined, signal: new AbortController().signal, log: pino({ enabled: false }), receivedAt: 0 };
  const prepare = (model: ModelEntry) =>
    ({
      location: model.location,
      model,
      request: ctx.body,
      dropped: 0,
      pii: [],
      restoresPlaceholders: true,
      provider: {
        complete: async () => {
          called.push(model.id);
          if (fails[model.id]) throw fails[model.id];
          return { id: "c", object: "chat.completion", created: 0, model: model.id, choices: [] };
        },
      },
    }) as unknown as PreparedCall;
  const execution = execute(ctx as unknown as ChatRequestContext, decision, {
    registry,
    catalog: catalog(),
    contextWindow: (m) => m.contextWindow,
    prepare,
    notCalled: (m) => (m === notReady ? unavailable(`The local model '${m.id}' is still loading.`, "model_loading") : undefined),
    keepOnHost: () => undefined,
  });
  return { execution, called };
}

describe("execute: the model the client named, passed over as not ready", () => {
  it("still not ready: not called, the first hop of the fallback reported", async () => {
    const { execution, called } = run(namedWhileLoading(), models[0]);
    expect((await execution).path).toEqual(["local-slm", "gpt-4o-mini"]);
    expect(called).toEqual(["gpt-4o-mini"]);
  });

  it("ready since the decision: called first, and answers", async () => {
    const { execution, called } = run(namedWhileLoading(), undefined);
    expect((await execution).path).toEqual(["local-slm"]);
    expect(called).toEqual(["local-slm"]);
  });

  it("ready since the decision but overloaded: falls back to the decision's model, reported", async () => {
    const { execution, called } = run(namedWhileLoading(), undefined, { "local-slm": overloaded("full", 1) });
    expect((await execution).path).toEqual(["local-slm", "gpt-4o-mini"]);
    expect(called).toEqual(["local-slm", "gpt-4o-mini"]);
  });
});
