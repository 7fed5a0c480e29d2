/**
 * `POST /v1/pii/scan` `{ "text" }` → `{ "entities": [{ "type", "start", "end", "score" }] }`: what the
 * PII engine finds in a text, offsets in UTF-16 code units (JavaScript string indices).
 */
import { Hono } from "hono";
import { z } from "zod";
import { parseJsonBody } from "../src/api/parse-body.js";
import { GatewayError } from "../src/errors.js";
import type { AppEnv } from "../src/http/app-env.js";
import { deadlineIn, PiiScanError, type Entity, type PiiEngine } from "../src/pii/index.js";
import { errorResponse } from "./errors.js";

export interface PiiRoutesDeps {
  engine: PiiEngine;
  /** Longest text accepted, in characters (default 100 000). */
  maxTextChars?: number;
  /** Time budget of one scan (default 1 000 ms); past it the answer is a 503. */
  budgetMs?: number;
}

/**
 * @example app.route("/", piiRoutes({ engine }));
 */
export function piiRoutes(deps: PiiRoutesDeps): Hono<AppEnv> {
  const maxTextChars = deps.maxTextChars ?? 100_000;
  const budgetMs = deps.budgetMs ?? 1_000;
  const ScanBody = z.object({
    text: z.string().max(maxTextChars, `must be at most ${maxTextChars} characters`),
  });

  const app = new Hono<AppEnv>();
  app.post("/v1/pii/scan", async (c) => {
    try {
      const { text } = parseJsonBody(ScanBody, await c.req.arrayBuffer());
      const entities: readonly Entity[] = deps.engine.scan(text, deadlineIn(budgetMs));
      return c.json({ entities: entities.map(({ type, start, end, score }) => ({ type, start, end, score })) });
    } catch (error) {
      if (error instanceof PiiScanError) return errorResponse(scanFailed(error));
      if (error instanceof GatewayError) return errorResponse(error);
      // Anything unexpected goes to the app's error handler, which logs server errors and knows a client that left.
      throw error;
    }
  });
  return app;
}

function scanFailed(error: PiiScanError): GatewayError {
  const tooLong = error.reason === "text_too_long";
  return new GatewayError(tooLong ? "The text is too long to scan." : "The PII scan did not finish in time.", {
    status: tooLong ? 413 : 503,
    type: tooLong ? "invalid_request_error" : "server_error",
    code: "pii_scan_failed",
    param: tooLong ? "text" : null,
    cause: error,
  });
}
