/**
 * The SDK sleeps for whatever `Retry-After` (or `retry-after-ms`) asks before it retries — an hour,
 * if an upstream says so — and a client that leaves meanwhile does not cut the sleep short. A wait
 * longer than `maxWaitMs` is not sat out: the answer is marked `x-should-retry: false` (the SDK's
 * own switch), so the 429/503 reaches the router (which can fall back) and the client at once.
 * The mark is for the gateway's SDK only: the client gets the upstream's own hints
 * (`upstreamRetryHints`), and its SDK waits as the upstream asked and retries.
 */
export function boundRetryAfter(inner: typeof fetch, maxWaitMs: number): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const response = await inner(input, init);
    if (response.status < 400) return response;
    const wait = retryAfterMs(response.headers);
    return wait !== undefined && wait > maxWaitMs ? await withoutRetry(response) : response;
  }) as typeof fetch;
}

/** The wait the upstream asks for, read the way the SDK reads it. */
export function retryAfterMs(headers: Pick<Headers, "get">): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (!Number.isNaN(ms) && ms !== 0) return ms;
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - Date.now();
}

/**
 * Where a marked answer keeps the upstream's own `x-should-retry` ("" when it sent none). It lives on
 * the answer the gateway's SDK reads and goes no further: `upstreamRetryHints` passes on only the
 * standard hints. (An upstream sending it could only set `x-should-retry`, which it can anyway.)
 */
const UPSTREAM_SHOULD_RETRY = "x-switchyard-upstream-should-retry";

/**
 * What the upstream said about retrying, as it said it, for the client (whose SDK reads the same
 * headers): `withoutRetry`'s mark is undone, so an upstream `x-should-retry` is passed on and none is
 * added when it sent none.
 */
export function upstreamRetryHints(headers: Pick<Headers, "get"> | undefined): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const name of ["retry-after", "retry-after-ms"]) {
    const value = headers?.get(name);
    if (value) hints[name] = value;
  }
  const shouldRetry = headers?.get(UPSTREAM_SHOULD_RETRY) ?? headers?.get("x-should-retry");
  if (shouldRetry) hints["x-should-retry"] = shouldRetry;
  return hints;
}

/** The same answer marked not to be retried; error bodies are small, so it is read whole. */
async function withoutRetry(response: Response): Promise<Response> {
  const headers = new Headers();
  response.headers.forEach((value, name) => headers.append(name, value));
  headers.set(UPSTREAM_SHOULD_RETRY, response.headers.get("x-should-retry") ?? "");
  headers.set("x-should-retry", "false");
  const body = await response.arrayBuffer();
  // A web Response cannot carry a status past 599 (it throws, which the SDK would take for a lost
  // connection): such an answer, no HTTP status, is a bad gateway's.
  const status = response.status <= 599 ? response.status : 502;
  return new Response(body, { status, statusText: response.statusText, headers });
}
