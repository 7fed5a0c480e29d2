/**
 * Upstream errors in OpenAI's shape. The SDK keeps only a body's `error` object, so an
 * OpenAI-compatible server that words its errors its own way lost its reason on the way to the
 * client ("rejected the request: HTTP 400"), vLLM's context-length message among them. The bodies
 * such servers send are rewritten as `{"error":{"message",…}}` before the SDK reads them:
 * - `{"error": "…"}` (text-generation-inference);
 * - `{"object": "error", "message": "…", "type", "code"}` (vLLM's older servers), or any top-level `message`;
 * - `{"detail": "…"}` or `{"detail": [{"loc", "msg"}…]}` (FastAPI's validation errors).
 * A body already in OpenAI's shape is rewritten only when its message is longer than a client is shown.
 */
import { APIError } from "openai";
import { echo } from "../../api/echo.js";

/**
 * Upstream messages are quoted to the client: enough to act on, never a whole page. Nor in the logs,
 * where a 5xx's message goes with its cause's (the SDK error that holds the body's message too).
 */
export const MAX_MESSAGE_CHARS = 1_000;

/**
 * What upstream text quoted in an error must not show: the provider's `secrets` (its API key), which
 * a proxy that echoes the request's credentials puts in its errors.
 */
export interface UpstreamTextOptions {
  secrets?: readonly string[];
}

/** Shorter secrets are not looked for: replacing them everywhere would garble the message. */
const MIN_SECRET_CHARS = 8;
const searched = (secrets: readonly string[]) => secrets.filter((secret) => secret.length >= MIN_SECRET_CHARS);

/**
 * `text` with every occurrence of each of `secrets` replaced, as written or as a URL or JSON writer
 * escapes it ("%2F", "\/"): a proxy quoting its request's URL or headers writes them that way.
 */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  return searched(secrets).reduce((redacted, secret) => writtenForms(secret).reduce((out, form) => out.replaceAll(form, "[redacted]"), redacted), text);
}

function writtenForms(secret: string): string[] {
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), jsonEscaped, jsonEscaped.replaceAll("/", "\\/")])];
}

/**
 * A JSON body's text without `secrets` in what it says once parsed, however its writer escaped them
 * (Go's "\u0026" for "&" is found only after parsing); the text as it was when it holds none.
 */
function withoutSecretsInJson(text: string, secrets: readonly string[]): string {
  if (searched(secrets).length === 0) return text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  const after = JSON.stringify(withoutSecretsIn(body, secrets));
  let before: string;
  try {
    before = JSON.stringify(body);
  } catch {
    return after;
  }
  return after === before ? text : after;
}

/**
 * `secrets` (the gateway's upstream API key) are removed from error bodies before anything reads
 * them: a proxy that echoes the request's credentials in its error must not hand them to the client
 * or the logs. A body that is not JSON (an HTML error page) is cut short: the SDK keeps it whole as
 * its error's message, which goes into the log line of the client's 502.
 *
 * @example
 * new OpenAI({ fetch: openAIShapedErrors(fetch, { secrets: [apiKey] }) });
 */
export function openAIShapedErrors(inner: typeof fetch, options: UpstreamTextOptions = {}): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const response = await inner(input, init);
    // A web Response cannot carry a status past 599 (it throws), so such an answer goes on as it is.
    if (response.status < 400 || response.status > 599) return response;
    const secrets = options.secrets ?? [];
    const text = withoutSecrets(await response.text(), secrets);
    const json = (response.headers.get("content-type") ?? "").includes("json");
    const shaped = json ? reshaped(text) : echo(text, MAX_MESSAGE_CHARS);
    const headers = new Headers(response.headers);
    // The body is no longer the bytes the upstream sent, nor their encoding.
    headers.delete("content-length");
    headers.delete("content-encoding");
    // The SDK parses a JSON body: an escaped key the text search missed is plain text after that.
    return new Response(json ? withoutSecretsInJson(shaped ?? text, secrets) : (shaped ?? text), { status: response.status, statusText: response.statusText, headers });
  }) as typeof fetch;
}

/**
 * The SDK's error for an `error` object found in a 200's body or a stream's event, its message cut
 * short like an error body's: the SDK error is the logged cause of the client's error, and would
 * otherwise carry the upstream's whole text into every log line of it. `secrets` are removed from
 * every string in the object (the SDK makes its message from the whole object when it has none).
 *
 * @example if (body.error) throw upstreamBodyError(body.error, response.headers, [apiKey]);
 */
export function upstreamBodyError(error: unknown, headers: Headers, secrets: readonly string[] = []): APIError {
  const redacted = withoutSecretsIn(error, secrets);
  const message = (redacted as { message?: unknown }).message;
  const quoted = typeof message === "string" && message.length > MAX_MESSAGE_CHARS ? { ...(redacted as object), message: echo(message, MAX_MESSAGE_CHARS) } : redacted;
  return new APIError(undefined, quoted as object, undefined, headers);
}

/**
 * A copy of `value` (parsed JSON) with `secrets` removed from its strings and property names. The
 * reviver rebuilds the copy bottom-up inside the engine's own parser, so a deeply nested object
 * costs no recursion here; one too deep even for that becomes a message saying so.
 */
function withoutSecretsIn(value: unknown, secrets: readonly string[]): unknown {
  if (searched(secrets).length === 0) return value;
  try {
    return JSON.parse(JSON.stringify(value), (_key, item: unknown) => {
      if (typeof item === "string") return withoutSecrets(item, secrets);
      if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
      return Object.fromEntries(Object.entries(item).map(([name, field]) => [withoutSecrets(name, secrets), field]));
    }) as unknown;
  } catch {
    return { message: "The upstream sent an error object nested too deeply to read." };
  }
}

/** The body in OpenAI's shape, or undefined when it is already (or carries no message to keep). */
export function reshaped(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return salvaged(text);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  const error = fields.error;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    const { message } = error as { message: string };
    return message.length > MAX_MESSAGE_CHARS ? JSON.stringify({ ...fields, error: { ...error, message: echo(message, MAX_MESSAGE_CHARS) } }) : undefined;
  }
  const message = typeof error === "string" ? error : typeof fields.message === "string" ? fields.message : detailMessage(fields.detail);
  if (message === undefined || message === "") return undefined;
  const code = typeof fields.code === "string" ? fields.code : null;
  const type = typeof fields.type === "string" ? fields.type : null;
  return JSON.stringify({ error: { message: echo(message, MAX_MESSAGE_CHARS), type, code, param: null } });
}

/**
 * The message at the start of a body that does not parse: one cut at the fetch's limit on error
 * bodies (`ERROR_BODY_LIMIT`) still names its reason in its first bytes. Only a JSON object's first
 * `"message"` (OpenAI's, vLLM's) or string `"error"` (TGI's) is taken, and only from its first KiBs.
 */
function salvaged(text: string): string | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  const found = /"(?:message|error)"\s*:\s*("(?:[^"\\]|\\.){1,4000}")/.exec(text.slice(0, 16 * 1024));
  if (!found) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(found[1]!);
  } catch {
    return undefined;
  }
  return typeof message === "string" && message.trim() !== "" ? JSON.stringify({ error: { message: echo(message, MAX_MESSAGE_CHARS), type: null, code: null, param: null } }) : undefined;
}

/** FastAPI's `detail`: a text, or validation errors each with where (`loc`) and what (`msg`). */
function detailMessage(detail: unknown): string | undefined {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return undefined;
  const parts = detail.flatMap((item) => {
    if (typeof item !== "object" || item === null) return [];
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (typeof msg !== "string") return [];
    return [Array.isArray(loc) ? `${loc.join(".")}: ${msg}` : msg];
  });
  return parts.length > 0 ? parts.join("; ") : undefined;
}
