/**
 * A check now and then on a Redis connection (PING, or a write that changes nothing), so whether Redis
 * answers is known without traffic.
 * ioredis reports a connection that closes, but not a server that stops answering on an open one (a
 * stalled or frozen process, a network path that drops packets): its status stays `ready`. And a
 * store that learns of its health only from session commands stays marked down after an outage
 * until the next session request succeeds, which on a replica with little session traffic may be a
 * long time.
 */
import { ReplyError } from "ioredis";
import type { PartialOutage } from "./backend.js";
import type { RedisClient } from "./redis-client.js";

/**
 * Error replies that say the server cannot serve any session now (still loading its data, a replica
 * after a failover, a cluster without quorum, a script hogging it): an outage, like a lost connection.
 * Every other error reply refuses only the command that got it.
 */
export const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN)\b/;

/**
 * ioredis's Cluster client giving up on a command the cluster kept redirecting: a plain Error naming the
 * last reply. TRYAGAIN, ASK and MOVED come from a slot being migrated (a multi-key command waits until
 * its keys are all on one side): the cluster answered, and refused only that slot's commands. MOVED
 * too: ioredis resends after TRYAGAIN to a node picked at random, which redirects it with MOVED, so a
 * migrating slot's command often ends on MOVED (the test of a session in a migrating slot met it about
 * one run in three). That also reads a slot map that leads nowhere (a wrong announce address or
 * natMap) as one slot's commands refused; the last error alone cannot tell the two apart.
 */
const REDIRECTED_TOO_OFTEN = /^Too many Cluster redirections\. Last error: (?:ReplyError: )?(?:TRYAGAIN|ASK|MOVED)\b/;

/**
 * An error reply that refuses only the command that got it (an ACL without PING or XINFO, a Cluster
 * slot being migrated): the server answered.
 */
export const refusedOnItsOwn = (error: unknown): boolean =>
  (error instanceof ReplyError && !UNAVAILABLE_REPLY.test((error as Error).message)) || (error instanceof Error && REDIRECTED_TOO_OFTEN.test(error.message));

export const HEALTH_CHECK_DEFAULT_MS = 2000;

export interface RedisHealthOptions {
  /** Time between checks; each is bounded by the client's command timeout, and never overlaps the last. */
  intervalMs: number;
  /**
   * The check itself; default PING. A server can answer PING while refusing every write (a replica
   * after a failover: READONLY; a cluster without quorum: CLUSTERDOWN): a store that writes passes a
   * write-path probe, so those read as down, as its own commands find them. A probe of several
   * servers (a Cluster's masters: see redis-cluster-health.ts) resolves to a `PartialOutage` when only
   * some of them answered.
   */
  probe?: () => Promise<unknown>;
  /** After every check: whether Redis answered, the error when it did not, and what did not answer when part of it did. */
  onCheck?: (answered: boolean, detail: string, partial?: PartialOutage) => void;
}

export interface RedisHealth {
  /** Connected, and the last check since the connection came up (if any) was answered (on a Cluster: by a master at least). */
  up(): boolean;
  stop(): void;
}

/**
 * @example
 * const health = watchRedisHealth(client, { intervalMs: 2000, onCheck: (up, why) => (up ? markUp() : markDown(why)) });
 * // …on shutdown
 * health.stop();
 */
export function watchRedisHealth(client: RedisClient, options: RedisHealthOptions): RedisHealth {
  let answering = false;
  let checking = false;
  let recheck = false;
  // A new connection is up once the server passes the check, not when it accepts the connection: a
  // replica still refuses every write, and the client reconnects on that refusal (READONLY) — were a
  // connection up by itself, the state would flip between up and down on each reconnect.
  client.on("ready", () => {
    answering = false;
    void check(true);
  });
  async function check(newConnection = false): Promise<void> {
    // Not connected: ioredis reports that itself, and a PING would fail at once (no offline queue).
    if (client.status !== "ready") return;
    if (checking) {
      // The check in flight was sent on the connection before: the new one must be checked too.
      if (newConnection) recheck = true;
      return;
    }
    checking = true;
    recheck = false;
    try {
      const result = await (options.probe ?? (() => client.ping()))();
      answering = true;
      options.onCheck?.(true, "connected", isPartialOutage(result) ? result : undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      answering = refusedOnItsOwn(error);
      options.onCheck?.(answering, answering ? "connected" : message);
    } finally {
      checking = false;
      if (recheck) void check(true);
    }
  }
  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  return {
    up: () => client.status === "ready" && answering,
    stop: () => clearInterval(timer),
  };
}

const isPartialOutage = (result: unknown): result is PartialOutage =>
  typeof result === "object" && result !== null && "unreachable" in result && "slots" in result;
