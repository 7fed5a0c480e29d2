/**
 * What is stored for each message of a conversation: the message itself (as the PII policy left it),
 * a fingerprint of what the client saw, and metadata about the request that produced it.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { toolCallParts, type ChatMessage } from "../api/chat-request.js";

export const TurnMetaSchema = z.object({
  /** Milliseconds since the epoch. */
  at: z.number(),
  route: z.string().optional(),
  model: z.string().optional(),
  /**
   * On the answer's own turn: the provider (models.yaml) of `model`, which wrote it; a stored call's
   * vendor fields go to it only. The client's own turns, and turns stored before it was recorded,
   * have none (their calls' vendor fields go to `model`'s provider in models.yaml now).
   */
  provider: z.string().optional(),
  intent: z.string().optional(),
  requestId: z.string().optional(),
  /**
   * Stored by a request that replaced the history (the client's version departed from the stored one):
   * its turns include those it kept, stored again. Tells such a run from turns appended after the
   * stored ones (see `storedMeanwhile`).
   */
  rewrite: z.literal(true).optional(),
});
export type TurnMeta = z.infer<typeof TurnMetaSchema>;

export interface TurnInput {
  /** The message as it may be stored (raw, redacted or pseudonymized, per the PII policy). */
  message: ChatMessage;
  /**
   * The message as the client sent or received it, when it differs from `message`; its fingerprint
   * is what lets a later request that resends the history be matched against the stored turns.
   */
  visible?: ChatMessage;
  meta: TurnMeta;
}

export interface StoredTurn {
  message: ChatMessage;
  fingerprint: string;
  meta: TurnMeta;
}

/**
 * A digest of the parts of a message that identify it in a conversation (role, text, tool calls, the
 * deprecated `function_call`), ignoring fields clients add or drop when they echo a message back
 * (`refusal: null`, annotations).
 *
 * @example
 * messageFingerprint({ role: "user", content: "hi" }) === messageFingerprint({ role: "user", content: [{ type: "text", text: "hi" }] })
 */
export function messageFingerprint(message: ChatMessage): string {
  return digest(message, true);
}

/** How a client's message is matched against stored turns (see `matchesStored`). */
export interface ClientFingerprint {
  fingerprint: string;
  /**
   * For an assistant message with the deprecated `function_call`: the fingerprint versions before the
   * call was hashed (commit 985cc43) stored for it, the digest of the message without the call.
   */
  legacyCall?: { name: string; fingerprint: string };
}

export function clientFingerprint(message: ChatMessage): ClientFingerprint {
  const fingerprint = digest(message, true);
  if (message.role !== "assistant" || !message.function_call) return { fingerprint };
  return { fingerprint, legacyCall: { name: message.function_call.name, fingerprint: digest(message, false) } };
}

/**
 * Whether a stored turn is the client's message. A turn saved with its `function_call` by a version
 * that did not hash the call matches by that older fingerprint too, when the call is to the same
 * function (its arguments that version cannot tell apart). The stored message's arguments cannot
 * settle it either: with sanitized storage they hold placeholders where the client resends the real
 * values. Turns saved since always hash their call, so for them this is fingerprint equality, and a
 * changed call still reads as a rewrite.
 *
 * @example
 * matchesStored(storedTurns[i], clientFingerprint(message))
 */
export function matchesStored(stored: StoredTurn, client: ClientFingerprint): boolean {
  if (stored.fingerprint === client.fingerprint) return true;
  if (!client.legacyCall || stored.fingerprint !== client.legacyCall.fingerprint) return false;
  const storedCall = stored.message.role === "assistant" ? stored.message.function_call : undefined;
  return storedCall?.name === client.legacyCall.name;
}

/**
 * One key per stored turn and per client message, so lists of them can be compared item by item
 * (sequence-match.ts). A client's message that matches no stored turn by its own fingerprint is keyed
 * by its legacy one when every stored turn with that fingerprint is a call to the same function.
 *
 * Keys are equal when `matchesStored` matches, except in three rare cases, all with turns stored under
 * the old function_call fingerprint (before 985cc43; clients can no longer create them, only sessions
 * stored before hold them), where a per-message match could not be compared in linear time:
 * (A) the same call stored both before and after 985cc43: the client's copy is keyed by its new
 *     fingerprint and misses the old turn, so a full resend reads as diverged, not overlap;
 * (B) a legacy call whose text equals a plain stored answer (no call): the call matches neither, so
 *     overlap becomes diverged;
 * (C) legacy calls with the same text to different functions: the client's copies match none of
 *     them; a full resend is a rewrite, but a window without the session's start reads as continued,
 *     the resent turns appended after the stored ones (stored twice).
 */
export function matchKeys(stored: readonly StoredTurn[], client: readonly ClientFingerprint[]): { stored: string[]; client: string[] } {
  const storedKeys = stored.map((turn) => turn.fingerprint);
  /** The function each stored fingerprint's turns call, null when they call none or not all the same. */
  const calls = new Map<string, string | null>();
  for (const turn of stored) {
    const name = turn.message.role === "assistant" ? (turn.message.function_call?.name ?? null) : null;
    calls.set(turn.fingerprint, calls.has(turn.fingerprint) && calls.get(turn.fingerprint) !== name ? null : name);
  }
  const clientKeys = client.map(({ fingerprint, legacyCall }) =>
    !calls.has(fingerprint) && legacyCall && calls.get(legacyCall.fingerprint) === legacyCall.name ? legacyCall.fingerprint : fingerprint,
  );
  return { stored: storedKeys, client: clientKeys };
}

function digest(message: ChatMessage, withFunctionCall: boolean): string {
  const hash = createHash("sha256").update(message.role).update("\0").update(canonicalContent(message.content));
  if (message.role === "assistant" && message.tool_calls) {
    for (const call of message.tool_calls) {
      const { name, text } = toolCallParts(call);
      // Function calls keep their old marker, so histories stored before custom calls existed still match.
      hash.update(call.type === "custom" ? "\0custom\0" : "\0call\0").update(call.id).update("\0").update(name).update("\0").update(text);
    }
  }
  // The deprecated single call; only hashed when present, so messages without one keep the fingerprints stored before.
  if (withFunctionCall && message.role === "assistant" && message.function_call) {
    hash.update("\0function_call\0").update(message.function_call.name).update("\0").update(message.function_call.arguments);
  }
  if (message.role === "tool") hash.update("\0result\0").update(message.tool_call_id);
  if (message.role === "function") hash.update("\0function\0").update(message.name);
  return hash.digest("base64url").slice(0, 22);
}

function canonicalContent(content: ChatMessage["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (content.every((part) => part.type === "text")) return content.map((part) => part.text).join("\n");
  return JSON.stringify(content);
}

export const isInstruction = (message: ChatMessage): boolean => message.role === "system" || message.role === "developer";
