/**
 * Typed errors that cross module boundaries. Each carries what the HTTP layer needs to answer in
 * OpenAI's shape (`{"error":{"message","type","code","param"}}`); the mapping to a response happens
 * once, in `routes/errors.ts`.
 */
import { echo } from "./api/echo.js";

export const ERROR_TYPES = [
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "rate_limit_error",
  "insufficient_quota",
  "overloaded_error",
  "upstream_error",
  "timeout_error",
  "server_error",
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export interface GatewayErrorOptions {
  status: number;
  type: ErrorType;
  code: string | null;
  param?: string | null;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "GatewayError";
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toJSON(): { error: { message: string; type: ErrorType; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = "invalid_request") =>
  new GatewayError(message, { status: 400, type: "invalid_request_error", code, param });

export const unsupported = (message: string, param: string | null = null) =>
  new GatewayError(message, { status: 400, type: "invalid_request_error", code: "unsupported_parameter", param });

/** The 404 message for a model the client named; a long name is quoted cut short (see `echo`). */
export const modelNotFoundMessage = (model: string) => `The model '${echo(model)}' does not exist or you do not have access to it.`;

export const modelNotFound = (model: string) =>
  new GatewayError(modelNotFoundMessage(model), {
    status: 404,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
  });

export const overloaded = (message: string, retryAfterSeconds: number) =>
  new GatewayError(message, {
    status: 503,
    type: "overloaded_error",
    code: "overloaded",
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export const unavailable = (message: string, code = "target_unavailable", headers?: Record<string, string>) =>
  new GatewayError(message, { status: 503, type: "server_error", code, ...(headers ? { headers } : {}) });

/**
 * For answers a retry cannot change (a spent budget, a policy denial, the gateway's own credentials
 * refused): OpenAI's SDKs obey `x-should-retry` before their own rules, which otherwise retry every
 * 429 and 5xx and sleep out a 429's Retry-After however long it is — a month, for a budget.
 */
export const DO_NOT_RETRY: Readonly<Record<string, string>> = { "x-should-retry": "false" };

/** The message of `providerNotConfigured`, which a policy's deny of such a target repeats. */
export const providerNotConfiguredMessage = (providerId: string, why: string) => `The provider '${providerId}' is not configured: ${why}.`;

/**
 * A provider that cannot be called (`why`: its API key's variable is not set): what a call to it
 * answers, and what a request reports when the model it named could not be called for it. A retry
 * changes nothing until the gateway restarts with the key.
 */
export const providerNotConfigured = (providerId: string, why: string) =>
  unavailable(providerNotConfiguredMessage(providerId, why), "provider_not_configured", { ...DO_NOT_RETRY });

/** The usage store could not be read (unreachable, timed out, refused the command): worth a retry. */
export const usageStoreUnavailable = (cause: unknown) =>
  new GatewayError("The usage store is unavailable; try again shortly.", { status: 503, type: "server_error", code: "usage_store_unavailable", cause });

/** nginx's "client closed request": what went wrong was the client leaving, never the gateway. */
export const CLIENT_CLOSED_STATUS = 499;

export const CLIENT_CLOSED_CODE = "client_closed_request";

export const clientClosed = (cause?: unknown) =>
  new GatewayError("The client closed the request.", { status: CLIENT_CLOSED_STATUS, type: "invalid_request_error", code: CLIENT_CLOSED_CODE, cause });

export const SHUTTING_DOWN_CODE = "shutting_down";

/**
 * The gateway is shutting down: a request refused once the shutdown began, or one still running at its
 * deadline. Worth a retry at once: a new connection reaches another replica.
 */
export const shuttingDown = () =>
  new GatewayError("The gateway is shutting down; retry the request (a new connection reaches another replica).", {
    status: 503,
    type: "server_error",
    code: SHUTTING_DOWN_CODE,
    headers: { "retry-after": "1" },
  });

/**
 * Why a request whose signal aborted ends: the reason the signal carries when it is one of ours (the
 * shutdown's `shuttingDown`), else the client's leaving.
 */
export function abortReason(signal: AbortSignal, cause?: unknown): GatewayError {
  return signal.reason instanceof GatewayError ? signal.reason : clientClosed(cause);
}

/**
 * The error with the gateway's headers for the request (policy version, fallback path, PII actions),
 * as an answered request carries them; the error's own headers (Retry-After, …) are kept. Anything
 * but a GatewayError is returned as it is.
 */
export function withHeaders(error: unknown, headers: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof GatewayError) || Object.keys(headers).length === 0) return error;
  const { status, type, code, param } = error;
  return new GatewayError(error.message, { status, type, code, param, headers: { ...headers, ...error.headers }, cause: error });
}

/** Wraps anything thrown into a GatewayError without losing the cause (never swallowed). */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("The gateway failed to process the request.", {
    status: 500,
    type: "server_error",
    code: "internal_error",
    cause: error,
  });
}
