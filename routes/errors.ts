/**
 * The one place typed errors become HTTP responses, always in OpenAI's error shape.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { asGatewayError, clientClosed, GatewayError, SHUTTING_DOWN_CODE } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { clientGone } from "../src/http/client-signal.js";

export function errorResponse(error: GatewayError): Response {
  const headers = new Headers({ "content-type": "application/json", ...error.headers });
  // Bytes, not a string: only then does Node send header values as given, so a refused request's
  // `x-switchyard-fallback` arrow arrives as UTF-8 (see `fallbackHeaderValue`).
  return new Response(new TextEncoder().encode(JSON.stringify(error.toJSON())), { status: error.status, headers });
}

export const handleError: ErrorHandler<AppEnv> = (error, c: Context<AppEnv>) => {
  // Whatever failed once the client hung up (reading its body, waiting for a model) failed because
  // it left: a 499 nobody receives, not a server error to alert on.
  const gatewayError =
    error instanceof GatewayError
      ? error
      : clientGone(c)
        ? clientClosed(error)
        : error instanceof HTTPException
          ? new GatewayError(error.message || "Bad request.", { status: error.status, type: "invalid_request_error", code: null })
          : asGatewayError(error);
  const log = c.get("log") ?? console;
  // A request the shutdown stopped at its deadline is expected (the server logs the deadline): a warning.
  if (gatewayError.code === SHUTTING_DOWN_CODE) log.warn({ status: gatewayError.status, code: gatewayError.code }, gatewayError.message);
  else if (gatewayError.status >= 500) log.error({ err: error.cause ?? error, status: gatewayError.status }, gatewayError.message);
  return errorResponse(gatewayError);
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(
    new GatewayError(`Unknown path: ${c.req.method} ${c.req.path}`, { status: 404, type: "not_found_error", code: "unknown_url" }),
  );

export const bodyTooLarge = (limitBytes: number) =>
  new GatewayError(`The request body exceeds the limit of ${limitBytes} bytes.`, {
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
  });
