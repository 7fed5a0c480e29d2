/**
 * The embedded default: sessions in this process's memory, bounded by a session count (least
 * recently used evicted first) and the same sliding TTL and trim rules as Redis. Nothing is shared
 * between replicas, and nothing survives a restart.
 */
import { LRUCache } from "lru-cache";
import { byteLength, type ContextBackend, type RawSaveResult, type RawSession, type RawWrite, type SessionLimits } from "./backend.js";
import { isResultTurn } from "./turn-codec.js";

interface Entry {
  turns: string[];
  bytes: number;
  instructions: string | null;
  state: string | null;
  stateVersion: number;
}

export interface MemoryBackendOptions {
  limits: SessionLimits;
  maxSessions: number;
}

export function createMemoryBackend(options: MemoryBackendOptions): ContextBackend {
  const { limits } = options;
  const sessions = new LRUCache<string, Entry>({ max: options.maxSessions, ttl: limits.ttlMs, updateAgeOnGet: true });

  return {
    kind: "memory",
    async load(key: string): Promise<RawSession> {
      const entry = sessions.get(key);
      if (!entry) return { turns: [], instructions: null, state: null, stateVersion: 0 };
      return { turns: entry.turns.slice(), instructions: entry.instructions, state: entry.state, stateVersion: entry.stateVersion };
    },
    async save(key: string, write: RawWrite): Promise<RawSaveResult> {
      const entry = sessions.get(key) ?? { turns: [], bytes: 0, instructions: null, state: null, stateVersion: 0 };
      const conflict = write.ifStateVersion !== undefined && entry.stateVersion !== write.ifStateVersion;
      if (conflict && write.turnsNeedState) {
        return { turns: entry.turns.length, trimmed: 0, conflict: { turnsWritten: false, state: entry.state, stateVersion: entry.stateVersion } };
      }
      if (write.replace) {
        entry.turns = [];
        entry.bytes = 0;
      }
      for (const turn of write.turns) {
        entry.turns.push(turn);
        entry.bytes += byteLength(turn);
      }
      const trimmed = trim(entry, limits);
      if (write.instructions !== undefined) entry.instructions = write.instructions;
      if (write.state !== undefined && !conflict) {
        entry.state = write.state;
        entry.stateVersion++;
      }
      sessions.set(key, entry);
      const current = conflict ? { conflict: { turnsWritten: true, state: entry.state, stateVersion: entry.stateVersion } } : {};
      return { turns: entry.turns.length, trimmed, ...current };
    },
    async erase(key: string): Promise<boolean> {
      return sessions.delete(key);
    },
    connected: () => true,
    onConnection: () => {},
    async close() {
      sessions.clear();
    },
  };
}

/** The same rule as the Redis script: oldest first until within limits, then no leading call results. */
function trim(entry: Entry, limits: SessionLimits): number {
  let drop = 0;
  let bytes = entry.bytes;
  const turns = entry.turns;
  while (drop < turns.length && (turns.length - drop > limits.maxTurns || bytes > limits.maxBytes)) {
    bytes -= byteLength(turns[drop]!);
    drop++;
  }
  while (drop < turns.length && isResultTurn(turns[drop]!)) {
    bytes -= byteLength(turns[drop]!);
    drop++;
  }
  if (drop > 0) entry.turns = turns.slice(drop);
  entry.bytes = bytes;
  return drop;
}
