/**
 * Sessions in Redis. A session is three keys sharing one Cluster hash tag: `<key>:t`, a list of encoded
 * turns, `<key>:m`, a hash holding the turns' total size, the instructions and the state blob, and
 * `<key>:e`, the erasure mark (below). A load and a save are each one Lua script call (one round trip),
 * and a save appends, trims and refreshes the TTL atomically, so concurrent saves to one session lose
 * no turn and keep each save's turns together and in order. The hash also counts state writes (`sv`): a save can make its state
 * write conditional on that count, and then gets the stored state back when another save changed it.
 *
 * The erasure mark is created empty with the session (so a migrating slot never finds its keys split
 * before they move) and stays empty until an erasure, which deletes the other two and sets a mark new
 * with each erasure, expiring like the session. A load
 * returns the mark it saw, and a save given that mark writes nothing when it changed: a request
 * answered while its session was erased must not store its turn (nor a rewritten history) into the
 * session again. Replicas of an older version neither read nor set the mark (nor create it empty);
 * their saves and erasures behave as before it existed.
 */
import { createHash, randomUUID } from "node:crypto";
import { Cluster } from "ioredis";
import { CommandRefusedError, type ContextBackend, type ConnectionListener, type LoadOptions, type PartialOutage, type RawErasedResult, type RawReseal, type RawSaveResult, type RawSession, type RawWrite, type SessionLimits } from "./backend.js";
import type { RedisClient } from "./redis-client.js";
import { clusterProbe } from "./redis-cluster-health.js";
import { HEALTH_CHECK_DEFAULT_MS, refusedOnItsOwn, watchRedisHealth } from "./redis-health.js";
import { ANSWER_TURN_PREFIXES, RESULT_TURN_PREFIXES } from "./turn-codec.js";

/** Lua: whether the stored turn `name` starts with one of `prefixes`. */
const startsWithAny = (name: string, prefixes: readonly string[]) => prefixes.map((prefix) => `string.sub(${name}, 1, ${prefix.length}) == '${prefix}'`).join(" or ");

/** Turns per RPUSH in the save script: well under Lua's unpack limit. */
const PUSH_BATCH = 1000;

// Turns stored without their hash: every write of turns also writes the hash (their byte count), so
// only an eviction under maxmemory (one key at a time) leaves them alone. They name placeholders of a
// vault that is gone, and came with instructions that are gone too: restored with an empty vault, a
// new request would hand out `<PERSON_1>` again for someone else. They go, and the session starts
// afresh, as when both keys were evicted. Returns how many turns went.
const DROP_ORPHANED_TURNS = `
local function dropOrphanedTurns()
  if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
  local orphaned = redis.call('LLEN', KEYS[1])
  if orphaned > 0 then redis.call('DEL', KEYS[1]) end
  return orphaned
end
`;

// Restarts the erasure mark's TTL (ARGV[1]), creating it empty ('': no erasure) where it is missing.
// A stored session always has it: Redis Cluster runs a script over the session's keys only where it
// finds them all, and while their slot is being migrated a mark that existed only after an erasure
// left nearly every session's keys looking split (TRYAGAIN) before any of them had moved.
const KEEP_MARK = `
local function keepMark()
  if redis.call('PEXPIRE', KEYS[3], ARGV[1]) == 0 then redis.call('SET', KEYS[3], '', 'PX', ARGV[1]) end
end
`;

// Returns {turns, instructions, state, state version, erasure mark, the TTL left before this load
// restarted it (-1: no session), orphaned turns dropped}.
const LOAD = `${DROP_ORPHANED_TURNS}${KEEP_MARK}
local orphaned = dropOrphanedTurns()
local turns = redis.call('LRANGE', KEYS[1], 0, -1)
local meta = redis.call('HMGET', KEYS[2], 'instructions', 'state', 'sv')
local left = -1
if #turns > 0 or meta[1] or meta[2] then
  left = math.max(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  keepMark()
else
  -- The mark is kept also when the session is gone: the request now holding it must find it still
  -- there when it saves, or its turn would be refused as if the session had been erased again.
  redis.call('PEXPIRE', KEYS[3], ARGV[1])
end
return {turns, meta[1], meta[2], meta[3], redis.call('GET', KEYS[3]), left, orphaned}
`;

// LOAD for a dry run: writes nothing. No TTL restarted (the mark's neither), and turns orphaned by an
// eviction read as none but are left for the next LOAD to drop. Returns what LOAD returns, 0 orphaned.
const PEEK = `
local meta = redis.call('HMGET', KEYS[2], 'instructions', 'state', 'sv')
local turns = {}
if redis.call('EXISTS', KEYS[2]) == 1 then turns = redis.call('LRANGE', KEYS[1], 0, -1) end
local left = -1
if #turns > 0 or meta[1] or meta[2] then
  left = math.max(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
end
return {turns, meta[1], meta[2], meta[3], redis.call('GET', KEYS[3]), left, 0}
`;

// ARGV: check the erasure mark (0|1), expected mark, instructions read and resealed ('' for none),
//       state read and resealed ('' for none), then pairs of turns read and resealed.
// Each value is replaced only where it is still the one read; returns how many were. The TTL is left
// as the load set it.
const RESEAL = `
if ARGV[1] == '1' and (redis.call('GET', KEYS[3]) or '') ~= ARGV[2] then return 0 end
-- The hash was evicted since the load: the turns are orphaned (see DROP_ORPHANED_TURNS), and a byte
-- count written here would make them look like a whole session again.
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local n = 0
if ARGV[3] ~= '' and redis.call('HGET', KEYS[2], 'instructions') == ARGV[3] then
  redis.call('HSET', KEYS[2], 'instructions', ARGV[4])
  n = n + 1
end
if ARGV[5] ~= '' and redis.call('HGET', KEYS[2], 'state') == ARGV[5] then
  redis.call('HSET', KEYS[2], 'state', ARGV[6])
  n = n + 1
end
if #ARGV > 6 then
  local wanted = {}
  for i = 7, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
  local delta = 0
  for i, turn in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    local resealed = wanted[turn]
    if resealed then
      redis.call('LSET', KEYS[1], i - 1, resealed)
      delta = delta + #resealed - #turn
      n = n + 1
    end
  end
  if delta ~= 0 then redis.call('HINCRBY', KEYS[2], 'bytes', delta) end
end
return n
`;

// ARGV: the TTL to give back. Only to keys that still exist, and have a TTL.
const RESTORE_TTL = `
for i = 1, 2 do
  if redis.call('PTTL', KEYS[i]) > 0 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 0
`;

// ARGV: ttlMs, maxTurns, maxBytes, replace (0|1), setInstructions (0|1), instructions,
//       state mode (0 keep | 1 set | 2 erase), state, expected state version ('' for any),
//       turns need the state (0|1), check the erasure mark (0|1), expected mark ('' for none),
//       the write ends with a call awaiting its results (0|1), turns…
// Returns 'erased' when the mark is not the expected one (nothing written); else {turns stored,
// trimmed, turns of the write not stored, their bytes, orphaned turns dropped}, and when the state version did not match (the state not
// written, nor the turns if they need it) also {…, turns written (0|1), stored state, state version,
// the turns and instructions stored now} — the redone save prunes its vault against them.
//
// Trimming keeps whole exchanges (a turn that opens one, then what answers it: see
// ANSWER_TURN_PREFIXES), and an exchange of the write is not stored when it is over a limit on its
// own — it would trim the whole history away and still not fit. An exchange awaiting its call results
// (ARGV[13]) does not count until answered: older exchanges are not trimmed for it, since its results
// may still make it too large and it would then go, leaving nothing. The memory backend does the same.
const SAVE = `${DROP_ORPHANED_TURNS}${KEEP_MARK}
local function opens(turn) return not (${startsWithAny("turn", ANSWER_TURN_PREFIXES)}) end
if ARGV[11] == '1' and (redis.call('GET', KEYS[3]) or '') ~= ARGV[12] then return 'erased' end
-- Also here, not only in the load: the hash may go between a request's load and its save, and the
-- write must then neither continue the orphaned turns nor answer a conflict with them.
local orphaned = dropOrphanedTurns()
local sv = redis.call('HGET', KEYS[2], 'sv') or '0'
local conflict = ARGV[9] ~= '' and sv ~= ARGV[9]
if conflict and ARGV[10] == '1' then
  -- Nothing written, but the session is in use: it must not expire while its saves keep conflicting.
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  keepMark()
  local stored = redis.call('LRANGE', KEYS[1], 0, -1)
  return {#stored, 0, 0, 0, orphaned, 0, redis.call('HGET', KEYS[2], 'state'), tonumber(sv), stored, redis.call('HGET', KEYS[2], 'instructions')}
end
local maxTurns = tonumber(ARGV[2])
local maxBytes = tonumber(ARGV[3])
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'bytes', 0)
end
-- The write's turns are ARGV[14..#ARGV]. Each of its exchanges (from an opening turn to the next) is
-- checked on its own, and one over a limit by itself is not stored — it would trim the whole history
-- away and still not fit — while the exchanges around it are. Turns before the write's first opening
-- turn continue the stored list's last exchange (whose tail is read back only as far as needed); when
-- that exchange is over a limit, its stored part goes too: kept, it would end the history with a call
-- no result ever answers.
local notStored, notStoredBytes, dropped = 0, 0, 0
local keep = {}
local added = 0
-- The newest exchange, when stored and awaiting its call results: not counted by the trim below.
local pending, pendingSize = 0, 0
local from = 14
while from <= #ARGV do
  local to = from
  while to < #ARGV and not opens(ARGV[to + 1]) do to = to + 1 end
  local own = 0
  for i = from, to do own = own + #ARGV[i] end
  local n, size = to - from + 1, own
  local continues = from == 14 and not opens(ARGV[14])
  if continues then
    local stored = redis.call('LLEN', KEYS[1])
    local j = 1
    while j <= stored and n <= maxTurns and size <= maxBytes do
      local turn = redis.call('LINDEX', KEYS[1], -j)
      n = n + 1
      size = size + #turn
      if opens(turn) then break end
      j = j + 1
    end
  end
  if n > maxTurns or size > maxBytes then
    notStored = notStored + to - from + 1
    notStoredBytes = notStoredBytes + own
    if continues then
      local freed = 0
      repeat
        local turn = redis.call('RPOP', KEYS[1])
        if not turn then break end
        freed = freed + #turn
        dropped = dropped + 1
      until opens(turn)
      if dropped > 0 then redis.call('HINCRBY', KEYS[2], 'bytes', -freed) end
    end
  else
    for i = from, to do keep[#keep + 1] = ARGV[i] end
    added = added + own
    if to == #ARGV and ARGV[13] == '1' then pending, pendingSize = n, size end
  end
  from = to + 1
end
local count = #keep
local len = 0
if count > 0 then
  -- In batches: unpack gives at most ~8000 values (LUAI_MAXCSTACK), and a request may carry more.
  for i = 1, count, ${PUSH_BATCH} do len = redis.call('RPUSH', KEYS[1], unpack(keep, i, math.min(i + ${PUSH_BATCH - 1}, count))) end
else
  len = redis.call('LLEN', KEYS[1])
end
-- The list was empty (new, replaced, or evicted on its own under maxmemory while the hash stayed):
-- the count restarts, or turns that no longer exist would trim every new one away.
local bytes = added
if len == count then redis.call('HSET', KEYS[2], 'bytes', added) else bytes = tonumber(redis.call('HINCRBY', KEYS[2], 'bytes', added)) end
local trimmed = 0
while len > pending and (len - pending > maxTurns or bytes - pendingSize > maxBytes) do
  bytes = bytes - #redis.call('LPOP', KEYS[1])
  len = len - 1
  trimmed = trimmed + 1
end
-- After a trim, on to the next turn that opens an exchange: no answer, call or call result is kept
-- without what it answers. A replace, or a write to an empty list (its call was never stored), can put
-- a call result at the head; it goes too.
if trimmed > 0 or ARGV[4] == '1' or len == count then
  local partial = trimmed > 0
  while len > 0 do
    local head = redis.call('LINDEX', KEYS[1], 0)
    if partial then
      if opens(head) then break end
    elseif not (${startsWithAny("head", RESULT_TURN_PREFIXES)}) then
      break
    end
    redis.call('LPOP', KEYS[1])
    bytes = bytes - #head
    len = len - 1
    trimmed = trimmed + 1
  end
end
if trimmed > 0 then redis.call('HSET', KEYS[2], 'bytes', bytes) end
if ARGV[5] == '1' then redis.call('HSET', KEYS[2], 'instructions', ARGV[6]) end
if not conflict then
  if ARGV[7] == '1' then redis.call('HSET', KEYS[2], 'state', ARGV[8]) end
  if ARGV[7] == '2' then redis.call('HDEL', KEYS[2], 'state') end
  -- Turns that need the state count as a write of it: a save that loaded the state before them must
  -- not prune what they name.
  if ARGV[7] ~= '0' or (ARGV[10] == '1' and count > 0) then redis.call('HINCRBY', KEYS[2], 'sv', 1) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
-- The mark must outlive the session it guards: were it to expire first, a later save holding it would
-- be refused as erased.
keepMark()
trimmed = trimmed + dropped
if conflict then return {len, trimmed, notStored, notStoredBytes, orphaned, 1, redis.call('HGET', KEYS[2], 'state'), tonumber(sv), redis.call('LRANGE', KEYS[1], 0, -1), redis.call('HGET', KEYS[2], 'instructions')} end
return {len, trimmed, notStored, notStoredBytes, orphaned}
`;

// ARGV: the new erasure mark, ttlMs. Returns how many of the session's keys existed.
// The mark is left even when nothing existed: a request that found no session may be answering its
// first turn right now, and its save must not create what the client just asked to be forgotten.
// It is random, not a counter: a counter would restart once an old mark expired, and could hand a
// later erasure the very mark a request in flight still holds.
const ERASE = `
local existed = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
return existed
`;

/** An error reply becomes a `CommandRefusedError`; connection and timeout errors pass unchanged. */
async function refusedAsSuch<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    if (refusedOnItsOwn(error)) throw new CommandRefusedError((error as Error).message, { cause: error });
    throw error;
  }
}

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") });

export interface RedisBackendOptions {
  client: RedisClient;
  limits: SessionLimits;
  /** How often Redis is checked while connected, so a stalled server, and its recovery, are noticed without session traffic. */
  healthCheckMs?: number;
  /**
   * A key the health check writes to (a PEXPIRE of a key that never exists: no effect), within the
   * store's key prefix so an ACL that allows the sessions allows it. Default: PING only. On a Cluster,
   * one such key per master, each with a hash tag in that master's slots (`<probeKey>{<tag>}`), since
   * sessions are on every master.
   */
  probeKey?: string;
}

export function createRedisBackend(options: RedisBackendOptions): ContextBackend {
  const { client, limits } = options;
  const load = script(LOAD);
  const peek = script(PEEK);
  const erase = script(ERASE);
  const reseal = script(RESEAL);
  const restoreTtl = script(RESTORE_TTL);
  const keysOf = (key: string) => [`${key}:t`, `${key}:m`, `${key}:e`];
  const listeners: ConnectionListener[] = [];
  const notify = (up: boolean, detail: string, partial?: PartialOutage) => {
    for (const listener of listeners) listener({ up, detail, ...(partial ? { partial } : {}) });
  };
  // Up is the health check's to say, run at once on each new connection (see watchRedisHealth).
  client.on("close", () => notify(false, "connection closed"));
  client.on("error", (error: Error) => notify(false, error.message));
  const probeKey = options.probeKey;
  const health = watchRedisHealth(client, {
    intervalMs: options.healthCheckMs ?? HEALTH_CHECK_DEFAULT_MS,
    onCheck: notify,
    // A write command, refused as the session scripts are (READONLY, CLUSTERDOWN, LOADING), yet not
    // by a full Redis under noeviction (PEXPIRE never needs memory), which still serves loads.
    ...(probeKey !== undefined ? { probe: client instanceof Cluster ? clusterProbe(client, probeKey) : () => client.pexpire(probeKey, 1) } : {}),
  });

  /** EVALSHA, loading the script on the first call to each server (NOSCRIPT) — one round trip after that. */
  async function run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(s.source, keys.length, ...keys, ...args);
    }
  }

  return {
    kind: "redis",
    async load(key: string, options: LoadOptions = {}): Promise<RawSession> {
      const reply = options.readOnly ? run(peek, keysOf(key), []) : run(load, keysOf(key), [limits.ttlMs]);
      const [turns, instructions, state, stateVersion, epoch, left, orphaned] = (await refusedAsSuch(reply)) as [
        string[],
        string | null,
        string | null,
        string | null,
        string | null,
        number,
        number,
      ];
      return {
        turns,
        instructions: instructions ?? null,
        state: state ?? null,
        stateVersion: Number(stateVersion ?? 0),
        // '': the mark every stored session has until an erasure (KEEP_MARK).
        epoch: epoch || null,
        ttlMs: left > 0 ? left : null,
        ...(orphaned > 0 ? { orphanedTurns: orphaned } : {}),
      };
    },
    async save(key: string, write: RawWrite): Promise<RawSaveResult | RawErasedResult> {
      const stateMode = write.state === undefined ? 0 : write.state === null ? 2 : 1;
      const args = [
        limits.ttlMs,
        limits.maxTurns,
        limits.maxBytes,
        write.replace ? 1 : 0,
        write.instructions === undefined ? 0 : 1,
        write.instructions ?? "",
        stateMode,
        write.state ?? "",
        write.ifStateVersion ?? "",
        write.turnsNeedState ? 1 : 0,
        write.ifEpoch === undefined ? 0 : 1,
        write.ifEpoch ?? "",
        write.awaitsResults ? 1 : 0,
        ...write.turns,
      ];
      // EVAL, not EVALSHA: the answer leaves once this command is sent, and the session's next load
      // must reach Redis after it. A NOSCRIPT fallback (a restarted or flushed server) would send the
      // real save one reply later, possibly after that load. Redis caches the compiled script by its
      // digest either way; the cost is the script's ~1.5 KB on the wire.
      const reply = (await refusedAsSuch(client.eval(SAVE, 3, ...keysOf(key), ...args))) as "erased" | [number, number, number, number, number, number?, (string | null)?, number?, string[]?, (string | null)?];
      if (reply === "erased") return { erased: true };
      const [turns, trimmed, notStored, notStoredBytes, orphaned, turnsWritten, state, stateVersion, stored, instructions] = reply;
      const result: RawSaveResult = { turns, trimmed, notStored, notStoredBytes, ...(orphaned > 0 ? { orphanedTurns: orphaned } : {}) };
      if (turnsWritten === undefined) return result;
      return { ...result, conflict: { turnsWritten: turnsWritten === 1, state: state ?? null, stateVersion: stateVersion ?? 0, turns: stored ?? [], instructions: instructions ?? null } };
    },
    async erase(key: string): Promise<boolean> {
      return ((await refusedAsSuch(run(erase, keysOf(key), [randomUUID(), limits.ttlMs]))) as number) > 0;
    },
    async reseal(key: string, r: RawReseal): Promise<number> {
      const args = [
        r.ifEpoch === undefined ? 0 : 1,
        r.ifEpoch ?? "",
        ...(r.instructions ?? ["", ""]),
        ...(r.state ?? ["", ""]),
        ...r.turns.flat(),
      ];
      return (await refusedAsSuch(run(reseal, keysOf(key), args))) as number;
    },
    async restoreTtl(key: string, ttlMs: number): Promise<void> {
      await refusedAsSuch(run(restoreTtl, keysOf(key), [Math.max(1, Math.round(ttlMs))]));
    },
    connected: () => health.up(),
    onConnection(listener) {
      listeners.push(listener);
    },
    async close() {
      health.stop();
      client.disconnect();
    },
  };
}
