/**
 * Whether a request's turns were stored by another request while its own save waited on a conflict.
 *
 * Request A's first try to store its turns conflicts and stores nothing; its answer is out already.
 * Before A's redo, another replica may store the same turns for it:
 * - A's client sends its next request with the whole history, A's turns and answer in it (a tool
 *   call's result, the next question): that request stores them, then its own;
 * - A's client timed out and retried with the same `x-request-id`: the retry stores A's messages and
 *   its own answer.
 * Written again by the redo, the session would hold them twice: a tool call twice, the second
 * unanswered, or the question asked twice.
 *
 * Only turns stored since A loaded the session count (not the ones A loaded, which may say the same
 * words), and only a run of one request's turns that goes on past the match: the request that resent
 * A's turns, or retried them, stored its own answer after them. So a request that merely asked the
 * same thing at the same time and got the same answer word for word does not read as A's turns.
 * And the match must sit where that request put A's turns: first among its turns when it appended
 * them, or right after A's last loaded turn when it stored the history again (a rewrite, marked so
 * in its turns' metadata); A's own rewrite, from the conversation's start. A rewrite from another
 * tab stores the turns it keeps again, under its own id: an old exchange in it that A's new one
 * repeats is not A's.
 */
import type { ChatMessage } from "../api/chat-request.js";
import { messageFingerprint, type StoredTurn } from "./turn.js";
import { prefixFunction } from "./sequence-match.js";

export interface WaitingTurns {
  /** The request id the waiting turns are stored with. */
  requestId: string;
  /** The client's new messages, as it sent them. */
  sent: readonly ChatMessage[];
  /** The answer the client got. */
  answer: ChatMessage;
  /** A rewrite: `sent` is the whole conversation. */
  replace: boolean;
}

/**
 * @example
 * storedMeanwhile(conflict.stored.turns, loaded.turns, { requestId, sent: merged.newTurns, answer, replace: merged.replace }); // true: don't store them again
 */
export function storedMeanwhile(stored: readonly StoredTurn[], loaded: readonly StoredTurn[], turns: WaitingTurns): boolean {
  const known = new Set(loaded.map(identity));
  const sent = turns.sent.map(messageFingerprint);
  // A request that resent the history holds A's answer too; a retry holds A's messages and its own answer.
  const answered = messageFingerprint(turns.answer);
  const resent = matcher([...sent, answered]);
  const retried = sent.length > 0 ? matcher(sent) : undefined;

  const loadedTail = loaded.at(-1)?.fingerprint;
  /**
   * Whether A's turns matched at `at` (an index in `stored`) sit where the request that stored them
   * puts them: appended, first among its turns; in a history it stored again, right after A's last
   * loaded turn (first, when A loaded none), or (A's own rewrite, resent) from the start.
   */
  const inPlace = (at: number, runStart: number, rewrite: boolean): boolean => {
    if (turns.replace) return rewrite && at === 0;
    if (!rewrite || loadedTail === undefined) return at === runStart;
    return at > runStart && stored[at - 1]!.fingerprint === loadedTail;
  };

  let start = 0;
  while (start < stored.length) {
    const requestId = stored[start]!.meta.requestId;
    let end = start + 1;
    if (requestId !== undefined && !known.has(identity(stored[start]!))) {
      while (end < stored.length && stored[end]!.meta.requestId === requestId && !known.has(identity(stored[end]!))) end++;
      // Without the run's last turn: a match must be followed by more of that request's turns.
      const fingerprints = stored.slice(start, end - 1).map((t) => t.fingerprint);
      const occurrences = requestId === turns.requestId ? retried : resent;
      const runStart = start;
      const rewrite = stored[start]!.meta.rewrite === true;
      if (occurrences?.(fingerprints, (at) => inPlace(runStart + at, runStart, rewrite))) return true;
      // A's rewrite in a history longer than the store keeps: its first turns were trimmed, and the
      // session starts inside it, with A's last message and answer at least.
      if (turns.replace && rewrite && runStart === 0 && requestId !== turns.requestId && overlap([...sent, answered], fingerprints) >= 2) return true;
    }
    start = end;
  }
  return false;
}

/** A stored turn as one request stored it: a rewrite stores the turns it keeps again, under its own id. */
function identity(turn: StoredTurn): string {
  return `${turn.meta.requestId ?? ""}\n${turn.meta.at}\n${turn.fingerprint}`;
}

/** How long a start of `text` that `list` ends with is, at most: by the same prefix function, in one pass over each. */
function overlap(list: readonly string[], text: readonly string[]): number {
  if (text.length === 0) return 0;
  const fallback = prefixFunction(text);
  let k = 0;
  for (const item of list) {
    while (k > 0 && (k === text.length || item !== text[k])) k = fallback[k - 1]!;
    if (k < text.length && item === text[k]) k++;
  }
  return k;
}

/**
 * Whether `pattern` occurs in a list of fingerprints at a start `accept` takes, by Knuth–Morris–Pratt:
 * linear in the list however often a fingerprint repeats ("ok" a thousand times), where the naive
 * search is quadratic in a history of tens of thousands of turns.
 */
function matcher(pattern: readonly string[]): (text: readonly string[], accept: (start: number) => boolean) => boolean {
  const fallback = prefixFunction(pattern);
  return (text, accept) => {
    for (let i = 0, k = 0; i < text.length; i++) {
      while (k > 0 && text[i] !== pattern[k]) k = fallback[k - 1]!;
      if (text[i] === pattern[k]) k++;
      if (k === pattern.length) {
        if (accept(i + 1 - k)) return true;
        k = fallback[k - 1]!;
      }
    }
    return false;
  };
}
