/**
 * The health check of a Redis Cluster: the write that changes nothing (see redis-health.ts), once to
 * every master, in parallel. A key lives in one slot, so one probe key reaches one master, while
 * sessions spread over all of them: with one master down (`cluster-require-full-coverage no`, or in
 * the `cluster-node-timeout` before the cluster says CLUSTERDOWN), every session in its slots goes on
 * without context while the other masters answer — a partial outage, which one probe key either
 * misses or calls a whole one.
 */
import calculateSlot from "cluster-key-slot";
import type { Cluster } from "ioredis";
import type { PartialOutage } from "./backend.js";
import { refusedOnItsOwn } from "./redis-health.js";

/** The cluster's hash slots (0 to 16383). */
const SLOTS = 16_384;
/** Slot ranges shown per outage: a master owning scattered slots (after resharding) could own thousands. */
const SHOWN_RANGES = 8;
/** The tags 0 to 109,757 between them already hash to every slot. */
const MAX_TAG = 199_999;

/**
 * A probe for `watchRedisHealth` on a Cluster: a `PEXPIRE` of `<probeKey>{<tag>}` on every master, the
 * hash tag chosen so the key lands in a slot that master owns (by ioredis's slots cache, which keeps a
 * master that stopped answering until the cluster gives its slots to another). Resolves when every
 * master answers, resolves to the `PartialOutage` when some do, and rejects with a master's error when
 * none does (the whole store is down, as with a single server).
 *
 * @example
 * watchRedisHealth(cluster, { intervalMs: 2000, probe: clusterProbe(cluster, "switchyard:health-probe") });
 */
export function clusterProbe(cluster: Cluster, probeKey: string): () => Promise<PartialOutage | undefined> {
  // A tag per master, found again only when the slots cache moves its slot elsewhere.
  const tags = new Map<string, number>();
  const keyIn = (master: string): string => {
    const owned = (slot: number) => cluster.slots[slot]?.[0] === master;
    let tag = tags.get(master);
    if (tag === undefined || !owned(calculateSlot(`{${tag}}`))) {
      // A master owning a 1/n share of the slots takes about n tries; one owning a single slot, ~16,384.
      tag = 0;
      while (!owned(calculateSlot(`{${tag}}`))) {
        if (++tag > MAX_TAG) throw new Error(`no probe key found in the slots of ${master}`);
      }
      tags.set(master, tag);
    }
    return `${probeKey}{${tag}}`;
  };
  return async () => {
    const masters = slotRanges(cluster.slots);
    // No slots known (never before the client is ready): the plain key, routed as ioredis can.
    if (masters.size === 0) {
      await cluster.pexpire(probeKey, 1);
      return undefined;
    }
    // Each master on its own connection, not routed by the cluster: a routed command to a master that does
    // not answer makes ioredis refresh its slots (a new connection and CLUSTER SLOTS each time) and resend,
    // some 15 times per check. A master the slots cache still names but the pool has dropped (its
    // connection ended) does not answer; one that moved the slot answers MOVED, which counts as an answer.
    const nodes = new Map(cluster.nodes("master").map((node) => [`${node.options.host}:${node.options.port}`, node]));
    // The pool drops a master whose connection ended and takes it back only when the slots are read again,
    // which only a routed command that fails makes ioredis do: an idle gateway would report a master that
    // came back (or whose slots a promoted replica took over) as down for good. Read once per check at most.
    if ([...masters.keys()].some((master) => !nodes.has(master))) cluster.refreshSlotsCache();
    const checks = [...masters.keys()].map(async (master) => {
      try {
        const node = nodes.get(master);
        if (!node) throw new Error(`no connection to ${master}`);
        await node.pexpire(keyIn(master), 1);
        return undefined;
      } catch (error) {
        return refusedOnItsOwn(error) ? undefined : { master, error };
      }
    });
    const failed = (await Promise.all(checks)).filter((f) => f !== undefined);
    if (failed.length === 0) return undefined;
    if (failed.length === masters.size) throw failed[0]!.error;
    const ranges = failed.flatMap(({ master }) => masters.get(master)!).sort((a, b) => a[0] - b[0]);
    const shown = ranges.slice(0, SHOWN_RANGES).map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`));
    return {
      unreachable: failed.length,
      of: masters.size,
      slots: shown.join(",") + (ranges.length > SHOWN_RANGES ? ` and ${ranges.length - SHOWN_RANGES} more ranges` : ""),
      reasons: Object.fromEntries(failed.map(({ master, error }) => [master, error instanceof Error ? error.message : String(error)])),
    };
  };
}

/** Each master (`host:port`) in ioredis's slots cache, with the ranges of slots it owns. */
function slotRanges(slots: readonly (readonly string[] | undefined)[]): Map<string, [number, number][]> {
  const masters = new Map<string, [number, number][]>();
  for (let slot = 0; slot < SLOTS; slot++) {
    const master = slots[slot]?.[0];
    if (master === undefined) continue;
    const ranges = masters.get(master) ?? [];
    const last = ranges.at(-1);
    if (last && last[1] === slot - 1) last[1] = slot;
    else ranges.push([slot, slot]);
    masters.set(master, ranges);
  }
  return masters;
}
