/**
 * Helpers shared by the end-to-end tests: raw HTTP calls to a running gateway (so tests see status,
 * headers and bytes exactly as a client does), SSE parsing, polling with a deadline, and batching.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { RecordedRequest } from "../support/fake-openai.js";
import { SHIPPED_POLICIES } from "../support/gateway.js";

export interface ChatMessageInput {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content?: string | null | { type: "text"; text: string }[];
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

export interface ChatBody {
  model: string;
  messages: ChatMessageInput[];
  stream?: boolean;
  [field: string]: unknown;
}

export interface CallOptions {
  apiKey?: string;
  sessionId?: string;
  headers?: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface ChatAnswer extends HttpAnswer {
  /** The assistant's text: the message content, or the content deltas of a stream joined. */
  content: string;
  /** Tool-call arguments of the first tool call (joined across deltas when streaming). */
  toolArguments: string | undefined;
  /** The SSE events' JSON payloads, for streams. */
  chunks: unknown[];
}

function requestHeaders(options: CallOptions): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...(options.sessionId ? { "x-session-id": options.sessionId } : {}),
    ...options.headers,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function http(baseUrl: string, method: string, path: string, options: CallOptions & { body?: unknown } = {}): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: requestHeaders(options),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

interface ChunkShape {
  choices?: { delta?: { content?: string | null; tool_calls?: { index: number; function?: { arguments?: string } }[] } }[];
}
interface CompletionShape {
  choices?: { message?: { content?: string | null; tool_calls?: { function: { arguments: string } }[] } }[];
}

/** Parses an SSE body into its JSON payloads (`[DONE]` dropped). */
export function sseEvents(text: string): unknown[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n"),
    )
    .filter((data) => data !== "" && data !== "[DONE]")
    .map((data) => JSON.parse(data) as unknown);
}

/** POST /v1/chat/completions; streams are read to the end. */
export async function chat(baseUrl: string, body: ChatBody, options: CallOptions = {}): Promise<ChatAnswer> {
  const answer = await http(baseUrl, "POST", "/v1/chat/completions", { ...options, body });
  const isStream = (answer.headers.get("content-type") ?? "").startsWith("text/event-stream");
  if (!isStream) {
    const message = (answer.json as CompletionShape | undefined)?.choices?.[0]?.message;
    return { ...answer, content: message?.content ?? "", toolArguments: message?.tool_calls?.[0]?.function.arguments, chunks: [] };
  }
  const chunks = sseEvents(answer.text);
  let content = "";
  let toolArguments: string | undefined;
  for (const chunk of chunks as ChunkShape[]) {
    const delta = chunk.choices?.[0]?.delta;
    content += delta?.content ?? "";
    for (const call of delta?.tool_calls ?? []) if (call.index === 0) toolArguments = (toolArguments ?? "") + (call.function?.arguments ?? "");
  }
  return { ...answer, content, toolArguments, chunks };
}

export const user = (content: string): ChatMessageInput => ({ role: "user", content });
export const assistant = (content: string): ChatMessageInput => ({ role: "assistant", content });
export const system = (content: string): ChatMessageInput => ({ role: "system", content });

/** The messages the fake upstream received in one request. */
export function upstreamMessages(request: RecordedRequest): { role: string; content: unknown }[] {
  return ((request.body as { messages?: { role: string; content: unknown }[] } | undefined)?.messages ?? []).map((m) => ({ role: m.role, content: m.content }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until `accept` holds for its result, and returns that result; throws with the last
 * result once `timeoutMs` has passed. For asynchronous effects (batched usage writes, reconnections).
 */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() <= deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ""}`);
}

/** Runs `work` over `items`, at most `size` at a time, keeping the results in order. */
export async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map((item, i) => work(item, start + i)))));
  }
  return results;
}

/** A short random suffix so ids (tenants, sessions, key prefixes) never collide between runs. */
export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * A `context.yaml` giving this test file's sessions their own Redis key prefix, so files sharing the
 * suite's Redis never see each other's keys, and `dropKeys` can clean up exactly what the file wrote.
 */
export function contextYaml(keyPrefix: string, extra = ""): string {
  return `key_prefix: "${keyPrefix}"\n${extra}`;
}

/** Deletes the keys under `keyPrefix` (and only those). */
export async function dropKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  const client = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** A shipped policy file with exact text replacements (each must still be found, so edits are noticed). */
export async function shippedPolicyWith(file: string, replacements: Record<string, string>): Promise<string> {
  let text = await readFile(join(SHIPPED_POLICIES, file), "utf8");
  for (const [from, to] of Object.entries(replacements)) {
    if (!text.includes(from)) throw new Error(`${file} no longer contains '${from}'`);
    text = text.replace(from, to);
  }
  return text;
}

/**
 * The shipped pii.yaml with a scan time budget of 5 s instead of 50 ms. Tests whose subject is not the
 * scan's budget use it: on a loaded 2-core machine a scan can overrun 50 ms, and the failed scan
 * (fail closed, covered by pii-egress.test.ts) would move a cloud request to the local model.
 */
export const patientPiiPolicy = () => shippedPolicyWith("pii.yaml", { "budget_ms: 250": "budget_ms: 5000" });

/**
 * Environment for gateways whose tests are not about a slow Redis: the context store's command
 * timeout raised from 100 ms, so a busy machine never turns a session into a degraded (context-less)
 * request. The outage behaviour has its own test.
 */
export const PATIENT_CONTEXT_ENV = { SWITCHYARD_CONTEXT_TIMEOUT_MS: "2000" } as const;
