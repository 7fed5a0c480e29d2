/**
 * Builds the ioredis client for a configured target with the failure behaviour the gateway needs: no
 * command waits longer than `timeoutMs`, nothing queues while disconnected (a request goes on without
 * context instead of waiting), and reconnection retries forever with a capped backoff.
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { MAX_TIMER_MS } from "../config/env-number.js";
import type { RedisTarget } from "./config.js";

export interface RedisClientOptions {
  timeoutMs: number;
  reconnectMaxDelayMs: number;
  /**
   * What `CLIENT LIST` shows (default `switchyard-context`), so ops can tell the context store's
   * connections from usage's, and `CLIENT KILL` one kind.
   */
  connectionName?: string;
}

export type RedisClient = Redis | Cluster;

const CONNECT_TIMEOUT_MS = 2000;
const SILENT_CONNECTION_MS = 2000;

const READONLY = /^READONLY\b/;

/** ioredis's default: redirects and resends of one Cluster command, counted together. */
const MAX_REDIRECTIONS = 16;

/** The gap between resends of a Cluster command: all of them fit in half its time bound. */
const redirectGapMs = (timeoutMs: number) => Math.max(1, Math.floor(timeoutMs / (2 * MAX_REDIRECTIONS)));

/**
 * The gap before a resend that first refreshes the slot map (CLUSTERDOWN, a node connection closed):
 * each refresh opens a connection, so never less than this, though then fewer resends fit the bound.
 */
const MIN_REFRESH_GAP_MS = 50;
const refreshGapMs = (timeoutMs: number) => Math.max(MIN_REFRESH_GAP_MS, redirectGapMs(timeoutMs));

/**
 * Whether a command's error should make the client reconnect: READONLY, with a gap that doubles up to
 * `maxGapMs` between such reconnects. ioredis forgets its retry count on every `ready`, and the health
 * check meets READONLY again at once, so against an address that still leads to a replica (DNS not yet
 * moved, or a reader endpoint configured by mistake) every client reconnected about 9 times a second,
 * for good. A READONLY inside the gap fails as it is, without a reconnect. After a quiet spell the next
 * failover reconnects at once again.
 */
function reconnectOnReadonly(maxGapMs: number): (error: Error) => boolean {
  const quietMs = Math.max(60_000, 2 * maxGapMs);
  let last = -Infinity;
  let gap = 0;
  return (error) => {
    if (!READONLY.test(error.message)) return false;
    // Monotonic: a wall clock stepped back would make `now - last` negative and hold reconnects off.
    const now = performance.now();
    if (now - last > quietMs) gap = 0;
    if (now - last < gap) return false;
    last = now;
    gap = Math.min(Math.max(2 * gap, 100), maxGapMs);
    return true;
  };
}

export function createRedisClient(target: RedisTarget, options: RedisClientOptions): RedisClient {
  const retry = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), options.reconnectMaxDelayMs);
  const common: RedisOptions = {
    commandTimeout: options.timeoutMs,
    enableOfflineQueue: false,
    // A command already sent when the connection drops fails instead of being replayed after reconnect.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A connection that stops answering altogether is dropped and made anew: a Redis host cut off by a
    // network partition never closes it (TCP would give up after some 15 minutes), while a failover
    // has its address lead to the new primary. Longer than any one command's bound, so a slow Redis
    // keeps its connection; one that answers nothing for that long while commands wait (a fork or fsync
    // stall, another client's long script) is reconnected too: its commands had failed at their bound.
    // At most the longest timer: a longer one would fire at once, dropping every connection as silent.
    socketTimeout: Math.min(MAX_TIMER_MS, Math.max(SILENT_CONNECTION_MS, 4 * options.timeoutMs)),
    connectionName: options.connectionName ?? "switchyard-context",
    // A primary demoted to replica by a failover keeps its client connections open and refuses every
    // write with READONLY; reconnecting reaches the new primary, through the address (a DNS name, a
    // virtual IP) or the sentinels. The refused command fails as it is, never resent.
    reconnectOnError: reconnectOnReadonly(options.reconnectMaxDelayMs),
  };
  switch (target.kind) {
    case "url": {
      // `rediss://` alone would turn TLS on too, but without the configured CA or client certificate.
      const { url, username, password } = urlCredentials(target);
      return new Redis(url, {
        ...common,
        retryStrategy: retry,
        ...(target.tls ? { tls: target.tls } : {}),
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
      });
    }
    case "sentinel":
      return new Redis({
        ...common,
        retryStrategy: retry,
        sentinels: target.nodes,
        name: target.master,
        ...(target.db !== undefined ? { db: target.db } : {}),
        ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}),
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        // `tls` + enableTLSForSentinelMode: the master found through the sentinels; sentinelTLS: the sentinels.
        ...(target.tls ? { tls: target.tls, enableTLSForSentinelMode: true, sentinelTLS: target.tls } : {}),
      });
    case "cluster": {
      const { enableOfflineQueue: _offline, ...nodeOptions } = common;
      const cluster = new Cluster(target.nodes, {
        enableOfflineQueue: false,
        // The Cluster client sends a command again whose node connection was closed or not yet up (a
        // node connection made anew after Redis's idle timeout, a proxy's cut, a failover), after this
        // gap and a slot refresh. Only one that was never written is sent again: see sendOnlyUnsettled.
        retryDelayOnFailover: refreshGapMs(options.timeoutMs),
        // A command the cluster asks to send again (TRYAGAIN while its slot migrates) is resent at most
        // MAX_REDIRECTIONS times, each after this gap: spread over half the command's time bound, where
        // ioredis's 100 ms went on for up to 1.6 s, long after it had failed (see sendOnlyUnsettled),
        // and left no second try within the default 100 ms bound.
        maxRedirections: MAX_REDIRECTIONS,
        retryDelayOnTryAgain: redirectGapMs(options.timeoutMs),
        // CLUSTERDOWN, too, but each of those resends refreshes the slot map on a new connection.
        retryDelayOnClusterDown: refreshGapMs(options.timeoutMs),
        clusterRetryStrategy: retry,
        redisOptions: {
          ...nodeOptions,
          ...(target.username ? { username: target.username } : {}),
          ...(target.password ? { password: target.password } : {}),
          ...(target.tls ? { tls: target.tls } : {}),
        },
      });
      cluster.on("+node", sendOnlyUnsettled);
      // A command's time bound starts when the Cluster client takes it. ioredis starts it when a node's
      // connection accepts it, so one refused while its node connected anew was resent (each gap after a
      // slot refresh) with no bound running: a 100 ms bound failed commands up to 470 ms late.
      // (Command.setTimeout arms once; the node's own call is then a no-op.)
      const take = cluster.sendCommand.bind(cluster);
      cluster.sendCommand = (command, stream, node) => {
        command.setTimeout(options.timeoutMs);
        return take(command, stream, node);
      };
      return cluster;
    }
  }
}

/**
 * QUIT, or a disconnect where QUIT is refused: while the client is still connecting (no offline
 * queue), and the connection made just after stayed open, keeping the process from exiting (a
 * start-up that failed to listen).
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

/** Commands a Cluster node had written to its connection, unanswered, when that connection closed. */
const writtenBeforeClose = new WeakSet<object>();

/**
 * Refused instead of sent again: a command written to a node connection that closed before its answer
 * came. Not ioredis's "Connection is closed.", which would have the Cluster client resend it.
 */
const WRITTEN_BEFORE_CLOSE = "Connection closed before the answer came: not sent again, as Redis may have run it";

/**
 * Makes a Cluster node's connection skip a command that has already failed, and refuse one it wrote
 * before its connection closed. ioredis resends a command the cluster redirected (TRYAGAIN, CLUSTERDOWN)
 * from a timer, without looking whether its time bound failed it meanwhile: a save the store had
 * answered as failed was then stored late, after what the session stored since. A slow round trip can
 * outlast the resend gaps, so the gaps alone cannot say. And it resends a command whose connection
 * closed, whether or not the node ran it: a session save that ran, its answer lost, stored its turns
 * twice. As with one server, such a command fails; one that was never written is still sent.
 */
function sendOnlyUnsettled(node: Redis): void {
  const send = node.sendCommand.bind(node);
  node.sendCommand = (command, stream) => {
    if (command.isSettled) return command.promise;
    if (writtenBeforeClose.has(command)) {
      command.reject(new Error(WRITTEN_BEFORE_CLOSE));
      return command.promise;
    }
    return send(command, stream);
  };
  // ioredis fails the written commands (its command queue) with "Connection is closed." in flushQueue,
  // the one place that still sees them: the "close" event comes a tick later, when the queue is empty.
  const internals = node as unknown as { flushQueue(error: Error, options?: { commandQueue?: boolean }): void; commandQueue: { toArray(): { command: object }[] } };
  const flush = internals.flushQueue.bind(node);
  internals.flushQueue = (error, options) => {
    if (options?.commandQueue !== false) for (const { command } of internals.commandQueue.toArray()) writtenBeforeClose.add(command);
    flush(error, options);
  };
}

/**
 * The URL without its credentials, and each of user and password from the URL when it has it, else from
 * REDIS_USERNAME / REDIS_PASSWORD: ioredis reads a URL with either as having both (the other empty), so
 * `redis://gw@host` with the password kept out of it would send an empty one.
 */
function urlCredentials(target: { url: string; username?: string; password?: string }): { url: string; username?: string; password?: string } {
  const url = new URL(target.url);
  const username = decoded(url.username) || target.username;
  const password = decoded(url.password) || target.password;
  url.username = "";
  url.password = "";
  return { url: url.toString(), ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** A URL part percent-decoded, as ioredis reads it; one that is no valid escape is taken as written. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
