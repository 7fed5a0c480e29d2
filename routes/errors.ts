/**
 * The one place typed errors become HTTP responses, always in OpenAI's error shape.
 */
import type { Context, ErrorHandler, Hono, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { asGatewayError, clientClosed, GatewayError, SHUTTING_DOWN_CODE } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { clientGone } from "../src/http/client-signal.js";
import { echo } from "../src/api/echo.js";

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

/** How an error names the request it refuses: a URL may run to Node's 16 KB header limit. */
const requestLine = (c: Context<AppEnv>) => `${c.req.method} ${echo(c.req.path)}`;

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(
    new GatewayError(`Unknown path: ${requestLine(c)}`, { status: 404, type: "not_found_error", code: "unknown_url" }),
  );

const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The methods `app` has a route for at `path` (middleware, registered for every method, is not a route). */
function methodsServing(app: Hono<AppEnv>, path: string): string[] {
  return ROUTE_METHODS.filter((method) => app.router.match(method, path)[0].some(([[, route]]) => route.method !== "ALL"));
}

/**
 * `handleNotFound`, except for a path `app` serves for other methods (`GET /v1/chat/completions`): a
 * 405 naming them in `Allow`, as OpenAI's API answers, not an "Unknown path" that sends the client
 * looking for a typo in the URL.
 *
 * @example app.notFound(handleUnknownRoute(app));
 */
export function handleUnknownRoute(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  return function unknownRoute(c) {
    const allowed = methodsServing(app, c.req.path);
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    // A route of this very method that found nothing (a dashboard asset that does not exist) is a 404.
    if (allowed.length === 0 || allowed.includes(method)) return handleNotFound(c);
    const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
    return errorResponse(
      new GatewayError(`Invalid method for URL (${requestLine(c)}): use ${allowed.join(" or ")}.`, {
        status: 405,
        type: "invalid_request_error",
        code: "method_not_allowed",
        headers: { allow: allow.join(", ") },
      }),
    );
  };
}

export const bodyTooLarge = (limitBytes: number) =>
  new GatewayError(`The request body exceeds the limit of ${limitBytes} bytes.`, {
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
  });
