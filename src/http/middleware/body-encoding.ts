import type { MiddlewareHandler } from "hono";
import { GatewayError } from "../../errors.js";
import type { AppEnv } from "../app-env.js";

/** Per header, the codings that leave the body's bytes as sent: Node's parser undoes `chunked` itself. */
const PLAIN_CODINGS = {
  "Content-Encoding": new Set(["identity"]),
  "Transfer-Encoding": new Set(["identity", "chunked"]),
};

/** The first coding of the header's list that would leave the body compressed. */
function compressedCoding(header: string | undefined, plain: ReadonlySet<string>): string | undefined {
  return header
    ?.split(",")
    .map((coding) => coding.trim().toLowerCase())
    .find((coding) => coding !== "" && !plain.has(coding));
}

/**
 * Refuses compressed request bodies with a 415 that says so. The gateway reads bodies as JSON text
 * (OpenAI's API and SDKs send them plain); a gzip body would otherwise be a 400 "not valid JSON"
 * quoting binary bytes, and decoding it would need a second size limit against zip bombs. A transfer
 * coding (`Transfer-Encoding: gzip, chunked`) counts too: Node's parser removes only `chunked`.
 */
export function plainBodiesOnly(): MiddlewareHandler<AppEnv> {
  return async function plainBodiesOnlyMiddleware(c, next) {
    for (const [header, plain] of Object.entries(PLAIN_CODINGS)) {
      const coding = compressedCoding(c.req.header(header), plain);
      if (coding === undefined) continue;
      throw new GatewayError(`Request bodies must not be compressed (${header}: ${coding.slice(0, 40)}); send the JSON as is.`, {
        status: 415,
        type: "invalid_request_error",
        code: "unsupported_content_encoding",
      });
    }
    return next();
  };
}
