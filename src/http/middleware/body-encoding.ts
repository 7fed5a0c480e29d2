import type { MiddlewareHandler } from "hono";
import { GatewayError } from "../../errors.js";
import type { AppEnv } from "../app-env.js";

/**
 * Refuses compressed request bodies with a 415 that says so. The gateway reads bodies as JSON text
 * (OpenAI's API and SDKs send them plain); a gzip body would otherwise be a 400 "not valid JSON"
 * quoting binary bytes, and decoding it would need a second size limit against zip bombs.
 */
export function plainBodiesOnly(): MiddlewareHandler<AppEnv> {
  return async function plainBodiesOnlyMiddleware(c, next) {
    const encoding = c.req.header("content-encoding")?.trim().toLowerCase();
    if (encoding && encoding !== "identity") {
      throw new GatewayError(`Request bodies must not be compressed (Content-Encoding: ${encoding.slice(0, 40)}); send the JSON as is.`, {
        status: 415,
        type: "invalid_request_error",
        code: "unsupported_content_encoding",
      });
    }
    return next();
  };
}
