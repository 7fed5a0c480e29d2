/**
 * Maps what the `openai` SDK throws into the gateway's typed errors: the client sees why the
 * upstream failed in OpenAI's shape, with a status that tells it whether retrying makes sense.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { clientClosed, DO_NOT_RETRY, ERROR_TYPES, GatewayError, type ErrorType } from "../../errors.js";
import { upstreamRetryHints } from "./retry-after.js";

// Re-exported beside the mapping that raises it for an abort the SDK reports in its own way.
export { clientClosed };

/**
 * `answerStarted`: the error came after the stream's first event, when the client has its 200 and
 * nothing can fall back: whatever status the error states, the upstream failed mid-answer (502).
 */
export function mapUpstreamError(error: unknown, providerId: string, options: { answerStarted?: boolean } = {}): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof APIUserAbortError) return clientClosed(error);
  if (error instanceof APIConnectionTimeoutError) {
    return new GatewayError(`The upstream provider '${providerId}' timed out.`, { status: 504, type: "timeout_error", code: "upstream_timeout", cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new GatewayError(`Could not reach the upstream provider '${providerId}'.`, { status: 502, type: "upstream_error", code: "upstream_unreachable", cause: error });
  }
  if (error instanceof APIError) {
    // An error in a 200's body or as a stream's event has no HTTP status: the one its body states
    // (vLLM's `code: 400`), or a 400 for OpenAI's `invalid_request_error`, says a retry cannot help.
    const status = typeof error.status === "number" ? error.status : options.answerStarted ? undefined : statusInBody(error);
    if (status !== undefined) return fromStatus(error, status, providerId);
    return new GatewayError(`The upstream provider '${providerId}' failed mid-answer: ${upstreamErrorMessage(error)}`, {
      status: 502,
      type: errorType(error) ?? "upstream_error",
      code: errorCode(error) ?? "upstream_error",
      param: errorParam(error),
      cause: error,
    });
  }
  return new GatewayError(`The request to '${providerId}' failed: ${(error as Error)?.message ?? String(error)}`, { status: 502, type: "upstream_error", code: "upstream_error", cause: error });
}

function fromStatus(error: APIError, status: number, providerId: string): GatewayError {
  const upstreamMessage = upstreamErrorMessage(error);
  if (status === 429) {
    // The upstream's own code when it has one: `insufficient_quota` (billing) and
    // `rate_limit_exceeded` (throttling) call for different things from the client.
    return new GatewayError(`The upstream provider '${providerId}' is rate limiting requests: ${upstreamMessage}`, {
      status: 429,
      type: errorType(error) ?? "rate_limit_error",
      code: errorCode(error) ?? "upstream_rate_limited",
      headers: upstreamRetryHints(error.headers),
      cause: error,
    });
  }
  if (status === 404) {
    // Chat Completions has one path and the model is the gateway's choice, so an upstream 404 is not the
    // client's to fix: a wrong base_url or upstream_model (Azure's DeploymentNotFound, vLLM's or Ollama's
    // unknown model), or a router with no endpoint for what was asked at the moment (OpenRouter's "No
    // endpoints found that support tool use"). Passed on as a 404 `model_not_found`, it told the client
    // that a model /v1/models lists does not exist, and no fallback was tried. Some of these pass, so the
    // client's SDK may retry.
    return new GatewayError(`The upstream provider '${providerId}' answered 404 Not Found: ${upstreamMessage}`, {
      status: 502,
      type: "upstream_error",
      code: "upstream_not_found",
      cause: error,
    });
  }
  if (status === 400 || status === 413 || status === 422) {
    return new GatewayError(`The upstream provider '${providerId}' rejected the request: ${upstreamMessage}`, {
      status,
      type: "invalid_request_error",
      code: errorCode(error) ?? "upstream_rejected",
      param: errorParam(error),
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    // The client's own key was fine (we checked it); the gateway's upstream credentials are not.
    return new GatewayError(`The gateway's credentials for '${providerId}' were refused upstream.`, {
      status: 502,
      type: "upstream_error",
      code: "upstream_auth_failed",
      headers: { ...DO_NOT_RETRY },
      cause: error,
    });
  }
  return new GatewayError(`The upstream provider '${providerId}' failed with HTTP ${status}: ${upstreamMessage}`, {
    status: 502,
    type: "upstream_error",
    code: "upstream_error",
    // A 503's Retry-After tells the client's SDK how long to wait before its retry.
    headers: upstreamRetryHints(error.headers),
    cause: error,
  });
}

/** The status an error without an HTTP one states in its body (`code` or `status`, 400–599), or 400 for an invalid request. */
function statusInBody(error: APIError): number | undefined {
  const body = error.error as { code?: unknown; status?: unknown } | undefined;
  for (const value of [body?.code, body?.status]) {
    const status = typeof value === "number" ? value : typeof value === "string" && /^[45]\d\d$/.test(value) ? Number(value) : undefined;
    if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  }
  return errorType(error) === "invalid_request_error" ? 400 : undefined;
}

function upstreamErrorMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === "string") return body.message;
  return error.status === undefined ? "no reason given" : `HTTP ${error.status}`;
}

function errorCode(error: APIError): string | null {
  return typeof error.code === "string" ? error.code : null;
}

/** The upstream's error type when it is one of OpenAI's that the gateway answers with. */
function errorType(error: APIError): ErrorType | undefined {
  const type = (error.error as { type?: unknown } | undefined)?.type;
  return ERROR_TYPES.find((known) => known === type);
}

function errorParam(error: APIError): string | null {
  return typeof error.param === "string" ? error.param : null;
}
