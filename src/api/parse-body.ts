/**
 * Turns an HTTP body into a validated value, or a 400 that names the offending field.
 */
import type { z } from "zod";
import { formatPath } from "../config/yaml-file.js";
import { invalidRequest } from "../errors.js";
import { echo } from "./echo.js";

/**
 * Deeper than any real request (a tool's JSON schema nests a few dozen levels at most). JSON.parse
 * copes with any depth, but the walks of the body after it (PII scan, token estimate, serialising it
 * upstream) recurse, and a few thousand levels overflow their stack: a 500 for a client's mistake.
 */
export const MAX_JSON_DEPTH = 256;

/** Fatal: a byte sequence that is no UTF-8 throws instead of becoming U+FFFD. Stateless when not streaming. */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A request body's bytes as text. JSON bodies are UTF-8 (RFC 8259); a body in another encoding (a
 * Latin-1 "café") is refused rather than decoded with its characters replaced, which would send the
 * model, the PII scan and the conversation store text the client never wrote. A leading BOM is dropped.
 */
export function decodeBody(bytes: ArrayBuffer): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw invalidRequest("The request body is not valid UTF-8; send JSON encoded as UTF-8.", null, "invalid_encoding");
  }
}

export function parseJsonText(text: string): unknown {
  if (text.trim().length === 0) throw invalidRequest("The request body is empty; expected a JSON object.", null, "invalid_json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`, null, "invalid_json");
  }
  if (nestingExceeds(text, MAX_JSON_DEPTH)) {
    throw invalidRequest(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`, null, "invalid_json");
  }
  return value;
}

/**
 * Whether valid JSON `text` nests deeper than `limit`. Reads the text rather than the parsed value so
 * the check itself cannot recurse; strings are skipped with indexOf, since they are most of a body.
 */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // The closing quote is the first one preceded by an even number of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        let backslashes = 0;
        while (text.charCodeAt(i - 1 - backslashes) === 0x5c /* \ */) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/**
 * A JSON route's body, from its bytes to its validated value: strict UTF-8, JSON within the depth
 * limit, then the schema, each failure a 400 naming what is wrong.
 *
 * @example const body = parseJsonBody(ChatCompletionRequestSchema, await c.req.arrayBuffer());
 */
export function parseJsonBody<S extends z.ZodType>(schema: S, bytes: ArrayBuffer): z.infer<S> {
  return validateBody(schema, parseJsonText(decodeBody(bytes)));
}

type Issue = z.core.$ZodIssue;

/**
 * A union's failure is only "Invalid input" (a user message's content, `stop`). When one of its
 * options alone took the value's type (an array, where the other option takes a string), that
 * option's issues say what is wrong and where, so they stand for the union's.
 */
function specific(issue: Issue): Issue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const typed = issue.errors.filter((option) => !(option.length === 1 && option[0]!.code === "invalid_type" && option[0]!.path.length === 0));
  if (typed.length !== 1) return [issue];
  return typed[0]!.flatMap((inner) => specific({ ...inner, path: [...issue.path, ...inner.path] }));
}

export function validateBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidRequest("The request body must be a JSON object.", null, "invalid_json");
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap(specific);
  const first = issues[0];
  // Object keys in a path are the client's text (a metadata key): each is quoted cut short.
  const pathOf = (issue: (typeof issues)[number]) => formatPath(issue.path.map((key) => (typeof key === "string" ? echo(key) : key)));
  const describe = (issue: (typeof issues)[number]) => `${pathOf(issue) || "body"}: ${issue.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map(describe).join("; ")})` : "";
  throw invalidRequest(`Invalid request: ${first ? describe(first) : "schema violation"}${more}`, first ? pathOf(first) || null : null, "invalid_value");
}
