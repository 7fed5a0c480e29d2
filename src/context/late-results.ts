/**
 * Tool results that arrive after another request of the session had its turn. Request A gets a tool
 * call back; meanwhile request B of the same session stores a question and its answer; then A's client
 * sends only its results. Stored in arrival order, the results follow B's exchange, away from their
 * call: a provider refuses the call without its results right after it, and the budget drops the
 * results as orphans. The history sent to the model is put back in an order a provider accepts: the
 * exchanges that came between the call and its results move before the call's exchange, so the call,
 * its results and whatever answered them read in one piece, as A's client saw them. The stored order
 * stays the arrival order; this runs each time the stored history is sent.
 */
import type { ChatMessage } from "../api/chat-request.js";
import { isInstruction } from "./turn.js";

const isAnswer = (message: ChatMessage): boolean => message.role === "assistant" || message.role === "tool" || message.role === "function";

const callIds = (message: ChatMessage): readonly string[] =>
  message.role === "assistant" ? (message.tool_calls ?? []).map((call) => call.id) : [];

/**
 * @example
 * attachLateResults([q1, callC1, q2, a2, resultC1]); // [q2, a2, q1, callC1, resultC1]
 */
export function attachLateResults(messages: ChatMessage[]): ChatMessage[] {
  let out: ChatMessage[] | undefined;
  for (let j = 0; j < (out ?? messages).length; j++) {
    const list = out ?? messages;
    const result = list[j]!;
    if (result.role !== "tool") continue;
    const call = callOf(list, j, result.tool_call_id);
    if (call === undefined) continue;
    // The call's group ends with the results right after it; the exchange opens with its question.
    let groupEnd = call;
    while (groupEnd + 1 < j && list[groupEnd + 1]!.role === "tool") groupEnd++;
    if (groupEnd + 1 === j) continue;
    const between = list.slice(groupEnd + 1, j);
    // Only whole exchanges move: a question first, nothing of them answering the call.
    if (isAnswer(between[0]!) || between.some((m) => m.role === "tool" && callIds(list[call]!).includes(m.tool_call_id))) continue;
    let open = call;
    while (open > 0 && isAnswer(list[open - 1]!)) open--;
    if (open > 0 && !isInstruction(list[open - 1]!)) open--;
    out = [...list.slice(0, open), ...between, ...list.slice(open, groupEnd + 1), ...list.slice(j)];
  }
  return out ?? messages;
}

/**
 * The index of the assistant message before `before` that made call `id`, when the result at `before`
 * is not already in that message's results right after it; else undefined.
 */
function callOf(list: readonly ChatMessage[], before: number, id: string): number | undefined {
  let adjacent = true;
  for (let i = before - 1; i >= 0; i--) {
    const message = list[i]!;
    if (message.role === "tool") continue;
    if (callIds(message).includes(id)) return adjacent ? undefined : i;
    adjacent = false;
  }
  return undefined;
}
