import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { GatewayError } from "../../errors.js";
import type { AppEnv } from "../app-env.js";

/**
 * Refuses bodies over `maxBytes`. A declared Content-Length is checked from the header alone (the
 * server already enforces that the body matches it); only chunked bodies are counted while read,
 * because counting means wrapping the body stream, which costs every request a web stream.
 */
export function bodySizeLimit(options: { maxBytes: number; tooLarge: (limit: number) => GatewayError }): MiddlewareHandler<AppEnv> {
  const chunked = bodyLimit({
    maxSize: options.maxBytes,
    onError: () => {
      throw options.tooLarge(options.maxBytes);
    },
  });
  return async function bodySizeLimitMiddleware(c, next) {
    const declared = c.req.header("content-length");
    if (declared !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (Number(declared) > options.maxBytes) throw options.tooLarge(options.maxBytes);
      return next();
    }
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    return chunked(c, next);
  };
}
