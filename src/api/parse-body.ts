/**
 * Turns an HTTP body into a validated value, or a 400 that names the offending field.
 */
import type { z } from "zod";
import { formatPath } from "../config/yaml-file.js";
import { invalidRequest } from "../errors.js";

export function parseJsonText(text: string): unknown {
  if (text.trim().length === 0) throw invalidRequest("The request body is empty; expected a JSON object.", null, "invalid_json");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`, null, "invalid_json");
  }
}

export function validateBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidRequest("The request body must be a JSON object.", null, "invalid_json");
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const describe = (issue: (typeof issues)[number]) => `${formatPath(issue.path) || "body"}: ${issue.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map(describe).join("; ")})` : "";
  throw invalidRequest(`Invalid request: ${first ? describe(first) : "schema violation"}${more}`, first ? formatPath(first.path) || null : null, "invalid_value");
}
