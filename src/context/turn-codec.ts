/**
 * Turns to and from the strings a backend stores. Every stored turn starts with `{"role":"…",` in
 * plain text (the Redis trim script recognises call results by that prefix, so trimming never leaves
 * a `tool` or `function` result without the call it answers); with a cipher, everything else is
 * sealed and bound to its tenant, session and field so a sealed value cannot be replayed elsewhere.
 * Plain values stay readable with a cipher configured, so switching encryption on does not cut live
 * sessions short.
 */
import type { ChatMessage } from "../api/chat-request.js";
import type { ContextCipher } from "./cipher.js";
import type { SessionScope } from "./session-id.js";
import { messageFingerprint, type StoredTurn, type TurnInput, type TurnMeta } from "./turn.js";

/**
 * The prefixes of a stored call result: `tool` answers `tool_calls`, `function` the deprecated
 * `function_call`. The Redis trim script matches on them; turns have always been stored this way, so
 * sessions saved by earlier versions match too.
 */
export const RESULT_TURN_PREFIXES = ['{"role":"tool",', '{"role":"function",'] as const;

export const isResultTurn = (stored: string): boolean => RESULT_TURN_PREFIXES.some((prefix) => stored.startsWith(prefix));

/**
 * The prefixes of stored turns that answer what came before them: the model's messages (answers and
 * calls) and call results. Every other turn (a user message, or a system/developer message inside the
 * conversation) opens an exchange. Trimming keeps or drops whole exchanges, so the stored history never
 * starts with an answer whose question is gone; both backends match on these prefixes.
 */
export const ANSWER_TURN_PREFIXES = ['{"role":"assistant",', ...RESULT_TURN_PREFIXES] as const;

export const opensExchange = (stored: string): boolean => !ANSWER_TURN_PREFIXES.some((prefix) => stored.startsWith(prefix));

interface TurnBody {
  fp: string;
  meta: TurnMeta;
  msg: ChatMessage;
}

export type Field = "turn" | "instructions" | "state";

export interface TurnCodec {
  encodeTurn(scope: SessionScope, turn: TurnInput): string;
  decodeTurn(scope: SessionScope, stored: string): StoredTurn;
  encodeInstructions(scope: SessionScope, instructions: readonly TurnInput[]): string;
  decodeInstructions(scope: SessionScope, stored: string): StoredTurn[];
  encodeState(scope: SessionScope, state: unknown): string;
  decodeState(scope: SessionScope, stored: string): unknown;
  /**
   * The stored value sealed anew with the current key, when it was sealed with an old one (undefined:
   * it is current, or plain). The plaintext is kept byte for byte, fingerprints and metadata included.
   */
  reseal(scope: SessionScope, field: Field, stored: string): string | undefined;
}

const aadOf = (scope: SessionScope, field: Field) => `${scope.tenantId}\0${scope.sessionId}\0${field}`;

const bodyOf = (turn: TurnInput): TurnBody => ({ fp: messageFingerprint(turn.visible ?? turn.message), meta: turn.meta, msg: turn.message });

const fromBody = (body: TurnBody): StoredTurn => ({ message: body.msg, fingerprint: body.fp, meta: body.meta });

export function createTurnCodec(cipher: ContextCipher | undefined): TurnCodec {
  /** Plain `{"v":…}` or sealed `{"enc":"…"}`: plain values stay readable after encryption is switched on. */
  const wrap = (scope: SessionScope, field: Field, json: string) =>
    cipher ? `{"enc":${JSON.stringify(cipher.seal(json, aadOf(scope, field)))}}` : `{"v":${json}}`;
  const unwrap = (scope: SessionScope, field: Field, stored: string): unknown => {
    const record = JSON.parse(stored) as { v?: unknown; enc?: string };
    if (record.enc === undefined) return record.v;
    if (!cipher) throw new Error(`the stored ${field} is encrypted and SWITCHYARD_CONTEXT_KEY is not set`);
    return JSON.parse(cipher.open(record.enc, aadOf(scope, field)));
  };

  return {
    encodeTurn(scope, turn) {
      const role = JSON.stringify(turn.message.role);
      const body = JSON.stringify(bodyOf(turn));
      if (!cipher) return `{"role":${role},${body.slice(1)}`;
      return `{"role":${role},"enc":${JSON.stringify(cipher.seal(body, aadOf(scope, "turn")))}}`;
    },
    decodeTurn(scope, stored) {
      const record = JSON.parse(stored) as Partial<TurnBody> & { enc?: string };
      if (record.enc === undefined) return fromBody(record as TurnBody);
      if (!cipher) throw new Error("the stored turn is encrypted and SWITCHYARD_CONTEXT_KEY is not set");
      return fromBody(JSON.parse(cipher.open(record.enc, aadOf(scope, "turn"))) as TurnBody);
    },
    encodeInstructions: (scope, instructions) => wrap(scope, "instructions", JSON.stringify(instructions.map(bodyOf))),
    decodeInstructions: (scope, stored) => (unwrap(scope, "instructions", stored) as TurnBody[]).map(fromBody),
    encodeState: (scope, state) => wrap(scope, "state", JSON.stringify(state)),
    decodeState: (scope, stored) => unwrap(scope, "state", stored),
    reseal(scope, field, stored) {
      // Every load asks, for every value: answer from the text when the value is plain or current.
      const at = stored.indexOf('"enc":"');
      if (!cipher || at < 0 || cipher.isCurrent(stored.slice(at + 7, at + 40))) return undefined;
      const record = JSON.parse(stored) as { role?: string; enc?: string };
      if (record.enc === undefined || cipher.isCurrent(record.enc)) return undefined;
      const aad = aadOf(scope, field);
      const sealed = JSON.stringify(cipher.seal(cipher.open(record.enc, aad), aad));
      return field === "turn" ? `{"role":${JSON.stringify(record.role)},"enc":${sealed}}` : `{"enc":${sealed}}`;
    },
  };
}
