/**
 * Combines the stored conversation with the messages a client sent. Clients either send only the new
 * turn (the stored history is prepended) or the whole history (the overlap with the stored tail is
 * found and only what follows it is new). Messages are compared by fingerprint (see
 * `messageFingerprint`), so a history stored redacted or pseudonymized still matches what the client
 * resends.
 */
import type { ChatMessage } from "../api/chat-request.js";
import { attachLateResults } from "./late-results.js";
import type { SessionSnapshot } from "./store.js";
import { clientFingerprint, isInstruction, matchesStored, messageFingerprint } from "./turn.js";

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
  /**
   * Set when the request is a retry of the one that stored the session's last turns (same client-sent
   * request id, same new messages): they are already stored, so nothing is appended again. `messages`
   * is then the conversation as that first attempt saw it, without its stored turns.
   */
  retried?: true;
}

export interface MergeOptions {
  /**
   * The request id the client sent (`x-request-id`), never one the gateway made up: a retry of a
   * request whose turns are the stored tail is recognised by it (see `MergedHistory.retried`).
   */
  clientRequestId?: string;
}

/**
 * @example
 * const merged = mergeHistory(loaded, body.messages);
 * // merged.messages → model; later: store.save(scope, { turns: [...merged.newTurns, answer], replace: merged.replace, … })
 */
export function mergeHistory(stored: Pick<SessionSnapshot, "instructions" | "turns">, client: readonly ChatMessage[], options: MergeOptions = {}): MergedHistory {
  const retry = options.clientRequestId === undefined ? undefined : asRetry(stored, client, options.clientRequestId);
  if (retry) return retry;
  return merge(stored, client);
}

/**
 * A client that timed out (or lost its connection) resends the same request with the same
 * `x-request-id`, although the first attempt completed and stored its turns: its new messages, then
 * its answer, all carrying that id, at the end of the stored turns. Merged against the history before
 * them, the retry must bring exactly those new messages again (and the same instructions); then it is
 * the same request, and its turns are not stored twice. Anything else with that id is a new turn:
 * the id alone does not make a retry (a client may send a fixed one), nor does the text alone (`"hi"`
 * twice is a new turn).
 */
function asRetry(stored: Pick<SessionSnapshot, "instructions" | "turns">, client: readonly ChatMessage[], requestId: string): MergedHistory | undefined {
  const turns = stored.turns;
  let first = turns.length;
  while (first > 0 && turns[first - 1]!.meta.requestId === requestId) first--;
  // At least the first attempt's answer.
  if (first === turns.length) return undefined;
  const merged = merge({ instructions: stored.instructions, turns: turns.slice(0, first) }, client);
  // Its new messages: the stored ones before its answer.
  const sent = turns.slice(first, -1);
  const same =
    !merged.replace &&
    merged.instructions === undefined &&
    merged.newTurns.length === sent.length &&
    merged.newTurns.every((message, i) => matchesStored(sent[i]!, clientFingerprint(message)));
  return same ? { ...merged, retried: true } : undefined;
}

function merge(stored: Pick<SessionSnapshot, "instructions" | "turns">, client: readonly ChatMessage[]): MergedHistory {
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
      return result("overlap", attachLateResults([...olderStored, ...body]), body.slice(end));
    }
  }

  if (resendsHistory(body, storedTurns.length, same)) return result("diverged", body, body, true);

  return result("continued", attachLateResults([...storedTurns.map((t) => t.message), ...body]), body);
}

/** A message that answers what came before it: the model's (answer or call) or a call result. */
const isAnswer = (message: ChatMessage): boolean => message.role === "assistant" || message.role === "tool" || message.role === "function";

/**
 * Whether the client resent the history and departed from it (an edited or regenerated turn; the
 * stored tail is not in what it sent, or the overlap would have matched). Its messages must line up
 * with the stored turns as a resent history does: a run of them, in order, that starts at the
 * client's first message or at the stored first turn (a client may resend a window of recent messages,
 * or more history than the store kept) — and that run, with the client's message where it departs,
 * holds an answer. A repeated question alone is not history: `"hi"` twice, or a backend that sends
 * only its new turn with the same preamble message in front of every question, is a new turn; were it
 * taken for a rewrite, the stored history would be replaced by that one turn.
 *
 * @param same whether the client's message `b` matches the stored turn `s`
 */
function resendsHistory(body: readonly ChatMessage[], storedCount: number, same: (b: number, s: number) => boolean): boolean {
  // One message is a new turn whatever it repeats: a question asked again, or a call result resent by
  // a retry without x-request-id — taken for a rewrite, it would replace the whole stored history.
  if (body.length < 2) return false;
  const lineUp = (b: number, s: number): boolean => {
    let run = 0;
    while (b + run < body.length && s + run < storedCount && same(b + run, s + run)) run++;
    return run > 0 && body.slice(b, b + run + 1).some(isAnswer);
  };
  for (let s = 0; s < storedCount; s++) if (lineUp(0, s)) return true;
  for (let b = 1; b < body.length; b++) if (lineUp(b, 0)) return true;
  return false;
}
