/**
 * A policy deny as the client sees it: OpenAI's error types by status, and — when the only target
 * could not serve the request — the same precise error the model itself would have caused (the
 * parameter it cannot handle, or the context length), so a drop-in client gets the error it expects.
 */
import type { ChatCompletionRequest } from "../api/chat-request.js";
import { DO_NOT_RETRY, GatewayError, type ErrorType } from "../errors.js";
import { ALIASES, CLOUD_ALIAS, LOCAL_ALIAS, type ModelEntry, type ModelRegistry } from "../models/registry.js";
import type { DenyDecision } from "../policy/decide.js";
import { assertSupported } from "./capabilities.js";

/**
 * `denyError`'s answer as a value: the requested model's own refusal (which `denyError` throws) or
 * the policy's.
 */
export function denialFor(decision: DenyDecision, request: ChatCompletionRequest, registry: ModelRegistry, checkFit: (model: ModelEntry) => void): GatewayError {
  try {
    return denyError(decision, request, registry, checkFit);
  } catch (error) {
    // denyError throws the model's own refusal; anything else is a failure, not an answer.
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

/**
 * What the decided model refuses by what models.yaml says it can do, before it is called (the first
 * check the executor's `prepareCall` makes): `n > 1`, tools or tool history, images, json_schema.
 * Needs no running model, so `policy explain` predicts it too.
 */
export function capabilityRefusal(request: ChatCompletionRequest, model: ModelEntry | undefined): GatewayError | undefined {
  if (!model) return undefined;
  try {
    assertSupported(request, model);
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

export function denyError(decision: DenyDecision, request: ChatCompletionRequest, registry: ModelRegistry, checkFit: (model: ModelEntry) => void): GatewayError {
  if (decision.code === "no_capable_target") {
    const requested = requestedModel(request.model, registry);
    if (requested && decision.skipped.some((s) => s.model === requested.id)) {
      assertSupported(request, requested);
      checkFit(requested);
    }
  }
  const param = decision.code === "model_not_found" ? "model" : null;
  // A policy gives the same request the same answer, so a retry only repeats the decision; unless a
  // target was still loading, which ends within seconds.
  const headers = decision.retryAfterSeconds === undefined ? { ...DO_NOT_RETRY } : { "retry-after": String(decision.retryAfterSeconds) };
  return new GatewayError(decision.message, { status: decision.status, type: errorTypeFor(decision.status), code: decision.code, param, headers });
}

function requestedModel(name: string, registry: ModelRegistry): ModelEntry | undefined {
  if (name === LOCAL_ALIAS) return registry.defaultLocal;
  if (name === CLOUD_ALIAS) return registry.defaultCloud;
  if ((ALIASES as readonly string[]).includes(name)) return undefined;
  return registry.get(name);
}

function errorTypeFor(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
