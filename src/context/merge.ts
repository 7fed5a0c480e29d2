/**
 * Combines the stored conversation with the messages a client sent. Clients either send only the new
 * turn (the stored history is prepended) or the whole history (the overlap with the stored tail is
 * found and only what follows it is new). Messages are compared by fingerprint (see
 * `messageFingerprint`), so a history stored redacted or pseudonymized still matches what the client
 * resends.
 */
import type { ChatMessage } from "../api/chat-request.js";
import type { SessionSnapshot } from "./store.js";
import { clientFingerprint, isInstruction, matchesStored, messageFingerprint, type ClientFingerprint } from "./turn.js";

export type MergeMode =
  /** Nothing stored: the client's messages are the conversation. */
  | "new"
  /** The client sent only new turns; the stored history was prepended. */
  | "continued"
  /** The client resent history that ends with the stored tail; only what follows is new. */
  | "overlap"
  /** The client resent history that departs from the stored one: the client's version wins. */
  | "diverged";

export interface MergedHistory {
  /** What to send to the model: instructions, then the conversation. */
  messages: ChatMessage[];
  /** The client's messages that are not stored yet, in order (instructions excluded). */
  newTurns: ChatMessage[];
  /** Set when the client's instructions differ from the stored ones: save them. */
  instructions?: ChatMessage[];
  /** True when the stored turns must be replaced by `newTurns` (mode `diverged`). */
  replace: boolean;
  mode: MergeMode;
}

/**
 * @example
 * const merged = mergeHistory(loaded, body.messages);
 * // merged.messages → model; later: store.save(scope, { turns: [...merged.newTurns, answer], replace: merged.replace, … })
 */
export function mergeHistory(stored: Pick<SessionSnapshot, "instructions" | "turns">, client: readonly ChatMessage[]): MergedHistory {
  let split = 0;
  while (split < client.length && isInstruction(client[split]!)) split++;
  const clientInstructions = client.slice(0, split);
  const body = client.slice(split);

  let instructions: ChatMessage[];
  let changedInstructions: ChatMessage[] | undefined;
  if (clientInstructions.length > 0) {
    instructions = clientInstructions;
    const same =
      clientInstructions.length === stored.instructions.length &&
      clientInstructions.every((m, i) => messageFingerprint(m) === stored.instructions[i]!.fingerprint);
    if (!same) changedInstructions = clientInstructions;
  } else {
    instructions = stored.instructions.map((t) => t.message);
  }
  const result = (mode: MergeMode, conversation: ChatMessage[], newTurns: ChatMessage[], replace = false): MergedHistory => ({
    messages: [...instructions, ...conversation],
    newTurns,
    ...(changedInstructions ? { instructions: changedInstructions } : {}),
    replace,
    mode,
  });

  const storedTurns = stored.turns;
  if (storedTurns.length === 0) return result("new", body, body);
  const bodyFp = body.map(clientFingerprint);
  const same = (b: number, s: number) => matchesStored(storedTurns[s]!, bodyFp[b]!);
  const last = storedTurns.length - 1;

  // The latest position where the stored tail ends inside the client's messages, matching backwards
  // until either the client's first message or the stored first turn.
  for (let end = bodyFp.length; end >= 1; end--) {
    if (!same(end - 1, last)) continue;
    let matched = 1;
    while (matched < end && matched < storedTurns.length && same(end - 1 - matched, last - matched)) matched++;
    if (matched === end || matched === storedTurns.length) {
      const olderStored = storedTurns.slice(0, storedTurns.length - matched).map((t) => t.message);
      return result("overlap", [...olderStored, ...body], body.slice(end));
    }
  }

  // A client that repeats stored turns (other than as its newest message) is sending history; since
  // the stored tail is not in it, it was edited or regenerated from an earlier point.
  const known = new Set(storedTurns.map((t) => t.fingerprint));
  const repeatsStored = (client: ClientFingerprint) => known.has(client.fingerprint) || (client.legacyCall !== undefined && storedTurns.some((t) => matchesStored(t, client)));
  if (bodyFp.slice(0, -1).some(repeatsStored)) return result("diverged", body, body, true);

  return result("continued", [...storedTurns.map((t) => t.message), ...body], body);
}
