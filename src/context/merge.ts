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
import { commonPrefixLengths } from "./sequence-match.js";
import { clientFingerprint, isInstruction, matchesStored, matchKeys, messageFingerprint } from "./turn.js";

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
  const keys = matchKeys(storedTurns, body.map(clientFingerprint));
  const count = storedTurns.length;
  // For each end, how many messages the client's up to there and the stored turns end with in common;
  // the latest end where the stored tail runs back to the client's first message or the stored first turn.
  const common = commonPrefixLengths(keys.stored.toReversed(), keys.client.toReversed());
  for (let end = body.length; end >= 1; end--) {
    const matched = Math.min(end, count);
    if (common[body.length - end]! < matched) continue;
    const olderStored = storedTurns.slice(0, count - matched).map((t) => t.message);
    return result("overlap", attachLateResults([...olderStored, ...body]), body.slice(end));
  }

  if (resendsHistory(body, keys)) return result("diverged", body, body, true);

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
 * Each line-up is a common run of keys (`matchKeys`), found for every start at once (sequence-match.ts).
 */
function resendsHistory(body: readonly ChatMessage[], keys: { stored: string[]; client: string[] }): boolean {
  // One message is a new turn whatever it repeats: a question asked again, or a call result resent by
  // a retry without x-request-id — taken for a rewrite, it would replace the whole stored history.
  if (body.length < 2) return false;
  // nextAnswer[b]: the first answer at or after the client's message b (body.length when none).
  const nextAnswer = new Array<number>(body.length + 1).fill(body.length);
  for (let b = body.length - 1; b >= 0; b--) nextAnswer[b] = isAnswer(body[b]!) ? b : nextAnswer[b + 1]!;
  // A run of `run` messages from b lines up; with the message where it departs, it must hold an answer.
  const lineUp = (b: number, run: number) => run > 0 && nextAnswer[b]! < Math.min(b + run + 1, body.length);
  // Runs from the client's first message against each stored turn, then from each client message against the stored first turn.
  if (commonPrefixLengths(keys.client, keys.stored).some((run) => lineUp(0, run))) return true;
  return commonPrefixLengths(keys.stored, keys.client).some((run, b) => b > 0 && lineUp(b, run));
}
