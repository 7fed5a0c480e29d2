/**
 * A `fetch` for the `openai` SDK over `node:http`/`node:https` keep-alive agents. Node's built-in
 * fetch (undici) spends more CPU per request than the rest of the gateway together: WHATWG streams
 * for every body, spec-complete header handling. Here non-event-stream answers are read into one
 * buffer and only server-sent events become a web stream, which is what the SDK reads.
 *
 * Only what the SDK sends is supported: string or byte bodies. Anything else (multipart uploads)
 * goes to the global fetch.
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

export interface HttpFetchOptions {
  /** Sockets per upstream host; requests beyond it queue in the agent. */
  maxSockets?: number;
}

type FetchInput = Parameters<typeof fetch>[0];
type FetchInit = NonNullable<Parameters<typeof fetch>[1]>;

export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: "lifo" as const };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

  function httpFetch(input: FetchInput, init: FetchInit = {}): Promise<Response> {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const body = init.body;
    if ((body != null && typeof body !== "string" && !(body instanceof Uint8Array)) || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return fetch(input, init);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === "https:" ? https : http).request(url, {
        method: init.method ?? "GET",
        headers: plainHeaders(init.headers),
        agent: agents[url.protocol as "http:" | "https:"],
      });
      const onAbort = () => request.destroy(abortError(signal!));
      signal?.addEventListener("abort", onAbort, { once: true });
      request.once("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(signal?.aborted ? abortError(signal) : new TypeError("fetch failed", { cause: error }));
      });
      request.once("response", (response) => {
        const status = response.statusCode ?? 502;
        const headers = responseHeaders(response.rawHeaders);
        const noBody = status === 204 || status === 304 || init.method === "HEAD";
        if (!noBody && (response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          response.once("close", () => signal?.removeEventListener("abort", onAbort));
          resolve(new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, { status, statusText: response.statusMessage ?? "", headers }));
          return;
        }
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.once("error", reject);
        response.once("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          resolve(new Response(noBody ? null : (new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<ArrayBuffer>), { status, statusText: response.statusMessage ?? "", headers }));
        });
      });
      request.end(body ?? undefined);
    });
  }

  return Object.assign(httpFetch as typeof fetch, {
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}

function plainHeaders(headers: FetchInit["headers"]): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError");
}
