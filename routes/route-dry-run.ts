/**
 * `POST /v1/route`: dry run of the routing decision. Takes a chat completion body, runs the gateway's
 * stages up to the decision (classifier, PII scan, policy) and answers what would happen — without
 * calling any model: `{ route, model, rule, reasons, fallbacks, intent, confidence, unsure, features, pii }`.
 * A policy deny is a successful dry run (`route: "deny"`, 200); a malformed body is a 400 in OpenAI's
 * error shape, and so is every other refusal the real route makes before calling a model (`n > 1`, a
 * parameter the decided model cannot handle, blocked PII, a spent budget): `explain` rejects with the
 * real request's error (and, for blocked PII, its `x-switchyard-pii` summary), so the dry run answers
 * what the real request would get. The deciding policy's version is in `x-switchyard-policy`.
 */
import { Hono } from "hono";
import { ChatCompletionRequestSchema } from "../src/api/chat-request.js";
import { parseJsonBody } from "../src/api/parse-body.js";
import type { AppEnv } from "../src/http/app-env.js";
import { dryRunResponse, type ExplainFn } from "../src/policy/explain.js";
import { POLICY_HEADER } from "../src/policy/fallback.js";
import { handleError } from "./errors.js";

export interface RouteDryRunDeps {
  explain: ExplainFn;
}

export function routeDryRunRoutes(deps: RouteDryRunDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.post("/v1/route", async (c) => {
    const body = parseJsonBody(ChatCompletionRequestSchema, await c.req.arrayBuffer());
    const result = await deps.explain(body, {
      requestId: c.get("requestId"),
      tenant: c.get("tenant"),
      header: (name) => c.req.header(name),
      signal: c.req.raw.signal,
      log: c.get("log"),
    });
    return c.json(dryRunResponse(result), 200, { [POLICY_HEADER]: result.decision.policy });
  });
  return app;
}
