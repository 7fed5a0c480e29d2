/**
 * A pool of OpenAI-compatible servers behind one provider (several llama.cpp servers), balanced by
 * the gateway itself instead of a load balancer in front of them. It is a `fetch` for the `openai`
 * SDK: the SDK is given one base URL and retries by calling `fetch` again, so every attempt, each
 * retry included, is sent to the server chosen for it here:
 *
 * - the one with the fewest requests in flight (ties: in turn). A request is in flight from its
 *   attempt until its answer's body is read or given up (a stream: until the upstream response closes);
 * - a server that fails an attempt (connection error, timeout, 502–504, or a third other 5xx in a row) is ejected for a cool-down,
 *   1 s doubling per consecutive failure up to 30 s, and a success ends the streak. Ejected servers
 *   are used only when every server is, and then the one whose cool-down ends first;
 * - a 429 is the server's rate limit, passed on to the client as it is; the server is not ejected, but
 *   others are preferred for as long as its `Retry-After` asks.
 */
import { APIConnectionTimeoutError } from "openai";
import { DEFAULT_POOL_COOLDOWN_MS, normalizedBaseURL } from "../../config/models-schema.js";
import { withoutUrlSecrets } from "../../http/url-secrets.js";
import { onBodyClosed } from "./http-fetch.js";
import { retryAfterMs } from "./retry-after.js";

export interface ServerPoolOptions {
  /** The servers' base URLs (`http://llama-a:8081/v1`, …): 2 or more, distinct, with the same path. */
  baseURLs: readonly string[];
  /** Sends one attempt to the chosen server. */
  fetch: typeof fetch;
  /**
   * The SDK's time per attempt (`timeout_ms`). An attempt aborted after this long timed out on its
   * server; one aborted sooner was given up by the client, which says nothing about the server.
   */
  attemptTimeoutMs: number;
  /** The first cool-down of an ejected server; each consecutive failure doubles it, up to `maxCooldownMs`. */
  cooldownMs?: number;
  maxCooldownMs?: number;
  /** The clock of cool-downs and `Retry-After`s, in ms (tests move it instead of sleeping). */
  now?: () => number;
  /** Told when a server is ejected (its URL without credentials), for the log. */
  onEjected?(event: { server: string; cooldownMs: number; failures: number }): void;
}

export interface PoolServerState {
  /** The server's base URL, without credentials (user info, query, fragment): fit for `/readyz`, logs and metric labels; with ` (base_urls[i])` after it when another server of the pool reads the same without them. */
  url: string;
  inFlight: number;
  /** How long its cool-down still lasts; absent while it is up. */
  ejectedForMs?: number;
  /** Times it was ejected since start. */
  ejections: number;
}

export interface ServerPool {
  /** The base URL to give the SDK: every request under it is sent to a server of the pool instead. */
  readonly baseURL: string;
  readonly fetch: typeof fetch;
  servers(): PoolServerState[];
  /** The pool in one line for `/readyz`: how many servers are up, and which are ejected. */
  describe(): string;
}

const SECOND = 1000;

/**
 * Timers may fire a millisecond early: an abort this close to the attempt's time is its timeout.
 */
const TIMER_SLACK_MS = 5;

/**
 * A 502, 503 or 504 says the server (or what fronts it) cannot serve now: ejected at once. A plain 500
 * may be the request's own fault (llama.cpp answers some template errors with one), so one request
 * retried across the pool must not eject every server: only this many in a row do (Envoy's outlier
 * detection counts consecutive 5xx the same way).
 */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);
const CONSECUTIVE_ERRORS_TO_EJECT = 3;

interface Server {
  readonly url: string;
  /** `url` as shown outside (see PoolServerState.url). */
  readonly shown: string;
  inFlight: number;
  /** Failures since the last success. */
  failures: number;
  /** Other 5xx answers in a row (see CONSECUTIVE_ERRORS_TO_EJECT). */
  serverErrors: number;
  /** When its cool-down ends; 0 while it is up. */
  ejectedUntil: number;
  /** Until when others are preferred (a 429's `Retry-After`). */
  avoidUntil: number;
  /**
   * Bumped at each ejection. An attempt's outcome counts only if it started in the server's current
   * epoch: ten requests in flight when a server dies are one outage (one ejection), not ten doublings,
   * and a slow answer that began before the outage is no proof of recovery.
   */
  epoch: number;
  ejections: number;
}

/**
 * Each server's URL as shown outside, without its secrets. Servers told apart only by what that cuts
 * (one proxy reached with two accounts: `https://a:…@proxy/v1`, `https://b:…@proxy/v1`) are named by
 * their place in `base_urls` too: /readyz, the logs and /metrics' `server` label must tell them apart
 * (one label for both merged their gauges, and counted the second's ejections as a decrease of the
 * first's counter, which failed every scrape of /metrics).
 */
function shownURLs(baseURLs: readonly string[]): string[] {
  const shown = baseURLs.map((url) => normalizedBaseURL(withoutUrlSecrets(url)));
  return shown.map((url, i) => (shown.indexOf(url) === shown.lastIndexOf(url) ? url : `${url} (base_urls[${i}])`));
}

/** Up, then only rate limited, then ejected: the order servers are preferred in. */
const Rank = { Up: 0, RateLimited: 1, Ejected: 2 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

/**
 * @example
 * const pool = createServerPool({ baseURLs: ["http://llama-a:8081/v1", "http://llama-b:8081/v1"], fetch: httpFetch, attemptTimeoutMs: 60_000 });
 * const client = new OpenAI({ baseURL: pool.baseURL, fetch: pool.fetch, apiKey: "none" });
 */
export function createServerPool(options: ServerPoolOptions): ServerPool {
  const now = options.now ?? Date.now;
  const firstCooldown = options.cooldownMs ?? DEFAULT_POOL_COOLDOWN_MS.first;
  const maxCooldown = options.maxCooldownMs ?? DEFAULT_POOL_COOLDOWN_MS.max;
  const shown = shownURLs(options.baseURLs);
  const servers: Server[] = options.baseURLs.map((url, i) => ({
    url: normalizedBaseURL(url),
    shown: shown[i]!,
    inFlight: 0,
    failures: 0,
    serverErrors: 0,
    ejectedUntil: 0,
    avoidUntil: 0,
    epoch: 0,
    ejections: 0,
  }));
  if (servers.length === 0) throw new Error("a server pool needs at least one server");
  const prefix = servers[0]!.url;
  /** Where the search for the next server starts, so that ties take turns. */
  let cursor = 0;

  const rankOf = (server: Server, at: number): Rank =>
    server.ejectedUntil > at ? Rank.Ejected : server.avoidUntil > at ? Rank.RateLimited : Rank.Up;

  function pick(): Server {
    const at = now();
    let best = servers[cursor]!;
    let bestIndex = cursor;
    let bestRank = rankOf(best, at);
    for (let step = 1; step < servers.length; step++) {
      const index = (cursor + step) % servers.length;
      const server = servers[index]!;
      const rank = rankOf(server, at);
      const better =
        rank < bestRank ||
        (rank === bestRank && (rank === Rank.Ejected ? server.ejectedUntil < best.ejectedUntil : server.inFlight < best.inFlight));
      if (better) [best, bestIndex, bestRank] = [server, index, rank];
    }
    cursor = (bestIndex + 1) % servers.length;
    return best;
  }

  function failed(server: Server, epoch: number): void {
    if (epoch !== server.epoch) return;
    server.serverErrors = 0;
    server.failures++;
    server.epoch++;
    server.ejections++;
    const cooldownMs = Math.min(firstCooldown * 2 ** (server.failures - 1), maxCooldown);
    server.ejectedUntil = now() + cooldownMs;
    options.onEjected?.({ server: server.shown, cooldownMs, failures: server.failures });
  }

  function answered(server: Server, epoch: number, response: Response): void {
    if (epoch !== server.epoch) return;
    server.failures = 0;
    server.serverErrors = 0;
    server.ejectedUntil = 0;
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers);
      if (wait !== undefined && wait > 0) server.avoidUntil = now() + Math.min(wait, maxCooldown);
    }
  }

  /** A 5xx other than 502–504: a failure once it is the CONSECUTIVE_ERRORS_TO_EJECT-th in a row. */
  function erred(server: Server, epoch: number): void {
    if (epoch !== server.epoch) return;
    if (++server.serverErrors >= CONSECUTIVE_ERRORS_TO_EJECT) failed(server, epoch);
  }

  /** The client gave the attempt up before its time: not the server's failure. */
  const clientLeft = (signal: AbortSignal | null | undefined, startedAt: number) =>
    signal?.aborted === true && performance.now() - startedAt < options.attemptTimeoutMs - TIMER_SLACK_MS;

  async function pooledFetch(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> {
    const href = typeof input === "string" ? input : input instanceof URL ? input.href : undefined;
    const rest = href === undefined ? undefined : pathUnder(href, prefix);
    if (rest === undefined) return options.fetch(input, init);
    const server = pick();
    const epoch = server.epoch;
    const startedAt = performance.now();
    server.inFlight++;
    let response: Response;
    try {
      response = await options.fetch(server.url + rest, init);
    } catch (error) {
      server.inFlight--;
      if (!clientLeft(init?.signal, startedAt)) failed(server, epoch);
      throw error;
    }
    if (UNAVAILABLE_STATUSES.has(response.status)) failed(server, epoch);
    else if (response.status >= 500) erred(server, epoch);
    else answered(server, epoch, response);
    const watched = onBodyClosed(response, (error) => {
      server.inFlight--;
      // An upstream that went silent mid-answer (the provider's idle timer) timed out as surely as one that never answered.
      if (error instanceof APIConnectionTimeoutError) failed(server, epoch);
    });
    // Another fetch's body cannot be watched without wrapping it: its request ends with its head.
    if (!watched) server.inFlight--;
    return response;
  }

  const states = (): PoolServerState[] => {
    const at = now();
    return servers.map((server) => ({
      url: server.shown,
      inFlight: server.inFlight,
      ...(server.ejectedUntil > at ? { ejectedForMs: server.ejectedUntil - at } : {}),
      ejections: server.ejections,
    }));
  };

  return {
    baseURL: prefix,
    fetch: pooledFetch as typeof fetch,
    servers: states,
    describe() {
      const all = states();
      const ejected = all.filter((s) => s.ejectedForMs !== undefined);
      const serving = all.filter((s) => s.ejectedForMs === undefined);
      const up = `${serving.length} of ${all.length} servers up${serving.length > 0 ? ` (${serving.map((s) => s.url).join(", ")})` : ""}`;
      if (ejected.length === 0) return up;
      return `${up}; ejected: ${ejected.map((s) => `${s.url} (${Math.ceil(s.ejectedForMs! / SECOND)} s more)`).join(", ")}`;
    },
  };
}

/** What follows `prefix` in `href` (`/chat/completions`, with any query), or undefined when `href` is not under it. */
function pathUnder(href: string, prefix: string): string | undefined {
  if (!href.startsWith(prefix)) return undefined;
  const rest = href.slice(prefix.length);
  return rest === "" || rest.startsWith("/") || rest.startsWith("?") ? rest : undefined;
}

