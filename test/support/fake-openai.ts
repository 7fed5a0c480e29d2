/**
 * A fake OpenAI-compatible upstream for tests and benchmarks, on 127.0.0.1. It records every request
 * byte for byte (so tests can prove what left the gateway) and can be scripted to fail, stall or
 * stream slowly.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
}

export type ScriptedReply =
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer (until the client gives up). */
  | { kind: "hang" }
  /** Answer as by default once `until` settles: the test decides what happens while the request waits. */
  | { kind: "hold"; until: Promise<unknown> }
  /** Close the socket without answering. */
  | { kind: "destroy" }
  /**
   * Stream `chunks` content deltas, `delayMs` apart (default reply, but slower/longer); with `pausedUntil`,
   * the rest waits after the first delta until it settles: a stream the test knows is still running.
   */
  | { kind: "stream"; chunks: number; delayMs: number; pausedUntil?: Promise<unknown> }
  /** Stream `after` chunks, then drop the connection. */
  | { kind: "stream-then-fail"; after: number }
  /** Stream the default answer to its `[DONE]`, then leave the body open (a server that never ends it). */
  | { kind: "stream-left-open" }
  /**
   * A broken server or proxy that quotes the request's `Authorization` header in an error object: in a
   * 200's JSON body, as a stream's first event, or as an event after `after` content chunks.
   */
  | { kind: "echo-credentials"; where: "body" | "first-event" | "later-event"; after?: number };

export interface FakeOpenAI {
  url: string;
  /** Base URL for SDK clients: `${url}/v1`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Streams whose client went away before the stream finished. */
  abortedStreams: number;
  /** Replies used, in order, before falling back to the default behaviour. */
  script(...replies: ScriptedReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Keep no request records (benchmarks: no memory growth). */
  record?: boolean;
  /** The default answer's text. */
  answer?: string;
  /** Answer with the last user message's text instead (tests of placeholder restoration). */
  echo?: boolean;
  /** Stream the answer in pieces of this many characters (default: word by word). */
  chunkChars?: number;
  /** Report this many of the prompt tokens as served from the prompt cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens?: number;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const record = options.record ?? true;
  const defaultAnswer = options.answer ?? "Hello from the fake cloud.";
  const queue: ScriptedReply[] = [];
  const state: Pick<FakeOpenAI, "requests" | "abortedStreams"> = { requests: [], abortedStreams: 0 };

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(parts);
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : undefined;
      } catch {
        body = undefined;
      }
      if (record) state.requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body });
      const path = (req.url ?? "").split("?")[0];
      if (req.method === "GET" && path === "/v1/models") {
        return json(res, 200, { object: "list", data: [{ id: "fake-model", object: "model", created: 0, owned_by: "fake" }] });
      }
      if (req.method !== "POST" || path !== "/v1/chat/completions") {
        return json(res, 404, { error: { message: "not found", type: "invalid_request_error", code: null, param: null } });
      }
      const request = (body ?? {}) as FakeRequest;
      const reply = queue.shift();
      if (reply?.kind === "echo-credentials") return echoCredentials(reply, req.headers.authorization ?? "", res);
      handle(reply, request, res);
    });
  });

  function handle(reply: ScriptedReply | undefined, request: FakeRequest, res: ServerResponse) {
    const model = request.model ?? "unknown";
    const answer = options.echo ? lastUserText(request) : defaultAnswer;
    const promptDetails = options.cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: options.cachedTokens } };
    if (reply?.kind === "error") {
      const payload = reply.body ?? { error: { message: `scripted ${reply.status}`, type: "server_error", code: null, param: null } };
      return json(res, reply.status, payload, reply.headers);
    }
    if (reply?.kind === "hang") return;
    if (reply?.kind === "hold") {
      const answer = () => handle(undefined, request, res);
      return void reply.until.then(answer, answer);
    }
    if (reply?.kind === "destroy") return res.socket?.destroy();
    if (!request.stream) {
      return json(res, 200, {
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 1_700_000_000,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: answer, refusal: null }, finish_reason: "stop", logprobs: null }],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, ...promptDetails },
      });
    }
    const words = options.chunkChars ? (answer.match(new RegExp(`[\\s\\S]{1,${options.chunkChars}}`, "g")) ?? []) : answer.split(/(?<= )/);
    const chunks = reply?.kind === "stream" ? reply.chunks : words.length;
    const delayMs = reply?.kind === "stream" ? reply.delayMs : 0;
    const failAfter = reply?.kind === "stream-then-fail" ? reply.after : Infinity;
    const includeUsage = request.stream_options?.include_usage === true;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let finished = false;
    res.on("close", () => {
      if (!finished) state.abortedStreams++;
    });
    const frame = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i >= failAfter) return res.socket?.destroy();
      if (i < chunks) {
        const content = reply?.kind === "stream" ? `w${i} ` : (words[i] ?? "");
        res.write(frame(i === 0 ? { role: "assistant", content } : { content }, null));
        i++;
        if (i === 1 && reply?.kind === "stream" && reply.pausedUntil) return void reply.pausedUntil.then(next, next);
        return delayMs > 0 ? setTimeout(next, delayMs) : setImmediate(next);
      }
      res.write(frame({}, "stop"));
      if (includeUsage) {
        res.write(`data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [], usage: { prompt_tokens: 11, completion_tokens: chunks, total_tokens: 11 + chunks, ...promptDetails } })}\n\n`);
      }
      finished = true;
      if (reply?.kind === "stream-left-open") res.write("data: [DONE]\n\n");
      else res.end("data: [DONE]\n\n");
    };
    next();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.keepAliveTimeout = 65_000;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    get requests() {
      return state.requests;
    },
    get abortedStreams() {
      return state.abortedStreams;
    },
    script: (...replies) => queue.push(...replies),
    reset() {
      queue.length = 0;
      state.requests = [];
      state.abortedStreams = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function echoCredentials(reply: Extract<ScriptedReply, { kind: "echo-credentials" }>, authorization: string, res: ServerResponse) {
  const error = { error: { message: `proxy refused the request: Authorization: ${authorization}`, type: "server_error", code: null, param: null } };
  if (reply.where === "body") return json(res, 200, error);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const before = reply.where === "later-event" ? (reply.after ?? 1) : 0;
  for (let i = 0; i < before; i++) {
    const chunk = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model: "fake", choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  res.end(`data: ${JSON.stringify(error)}\n\n`);
}

interface FakeRequest {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: { role: string; content?: unknown }[];
}

function lastUserText(request: FakeRequest): string {
  const last = [...(request.messages ?? [])].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return Array.isArray(last.content) ? last.content.map((p: { text?: string }) => p.text ?? "").join("") : "";
}

function json(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
