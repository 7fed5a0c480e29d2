/**
 * Tool results that arrive after another request of the session had its turn. Request A gets a tool
 * call back; meanwhile request B of the same session stores a question and its answer; then A's client
 * sends only its results. Stored in arrival order, the results follow B's exchange, away from their
 * call: a provider refuses the call without its results right after it, and the budget drops the
 * results as orphans. The history sent to the model is put back in an order a provider accepts: the
 * call's exchange moves after the exchanges that came between, right before its results, so the call,
 * its results and whatever answered them read in one piece, as A's client saw them. The stored order
 * stays the arrival order; this runs each time the stored history is sent.
 *
 * Results can also arrive before their call: A's save waited on a conflict (or its client was quick)
 * while A's client sent only the results, stored first by another replica; A's question and call
 * came after them. Then A's exchange moves before the early results, and what answered them stays
 * after them.
 *
 * One pass over the history: the messages body is client-controlled (a 1 MB body holds tens of
 * thousands of messages), so no step looks back over the history or rebuilds it per result.
 */
import type { ChatMessage } from "../api/chat-request.js";
import { isInstruction } from "./turn.js";

const isAnswer = (message: ChatMessage): boolean => message.role === "assistant" || message.role === "tool" || message.role === "function";

/** A question and the answers after it, or an instruction on its own; moving one moves all of it. */
interface Unit {
  readonly messages: ChatMessage[];
  /** Where the unit sits in the output order; a moved unit leaves a hole behind. */
  slot: number;
  /** The index of its last message that is not a tool result. */
  lastNonTool: number;
  /** For a unit an early result opened: where the call it answers is (its index in the history). */
  earlyFor?: number;
  /** Exchanges whose call came after this unit's early result: they go right before it. */
  before?: Unit[];
  /** What those exchanges stored after the call's results: it goes after this unit, as it came after it. */
  after?: Unit[];
}

/** Where a unit moved before an early result sits: out of the order, in that unit's `before`. */
const BEFORE_EARLY_RESULT = -1;

/** A call whose results came (some of them) before it: its exchange moves before the first of them. */
interface EarlyMove {
  readonly unit: Unit;
  /** The call message's index in its unit. */
  readonly at: number;
  /** The unit its early result opened. */
  readonly early: Unit;
}

/** The assistant message that made a call, and what its results have done so far. */
interface Call {
  readonly unit: Unit;
  /** The call message's index in its unit. */
  readonly at: number;
  /** A result of this message's calls sits apart from it, between its exchange and later results. */
  answeredElsewhere: boolean;
}

/**
 * @example
 * attachLateResults([q1, callC1, q2, a2, resultC1]); // [q2, a2, q1, callC1, resultC1]
 * attachLateResults([q1, a1, resultC1, a2, q2, callC1]); // [q1, a1, q2, callC1, resultC1, a2]
 */
export function attachLateResults(messages: ChatMessage[]): ChatMessage[] {
  const order: (Unit | undefined)[] = [];
  const calls = new Map<string, Call>();
  const { firstCallAt, lastResultAt } = toolIndex(messages);
  /** Early results, by call id: each opened a unit, which the call's exchange goes before. */
  const early = new Map<string, Unit>();
  // Applied after the pass: the call's exchange is only complete (its on-time results in it) then.
  const earlyMoves: EarlyMove[] = [];
  let current: Unit | undefined;
  let moved = false;
  const open = (message: ChatMessage): Unit => {
    const unit: Unit = { messages: [message], slot: order.length, lastNonTool: 0 };
    order.push(unit);
    return unit;
  };

  for (const message of messages) {
    const earlyFor = message.role === "tool" && !calls.has(message.tool_call_id) ? earlyCallAt(message.tool_call_id, firstCallAt, lastResultAt) : undefined;
    if (message.role === "tool" && earlyFor !== undefined) {
      // Results of one call message sent together (in any order) stay together: its exchange goes before them all.
      if (current?.earlyFor === earlyFor && current.messages.at(-1)!.role === "tool") current.messages.push(message);
      else {
        current = open(message);
        current.earlyFor = earlyFor;
      }
      if (!early.has(message.tool_call_id)) early.set(message.tool_call_id, current);
      continue;
    }
    if (isInstruction(message)) {
      open(message);
      current = undefined;
      continue;
    }
    if (message.role === "tool" && lateFor(calls.get(message.tool_call_id), current)) {
      const unit = calls.get(message.tool_call_id)!.unit;
      order[unit.slot] = undefined;
      unit.slot = order.length;
      order.push(unit);
      current = unit;
      moved = true;
      unit.messages.push(message);
    } else if (!isAnswer(message) || current === undefined) {
      current = open(message);
      if (message.role === "tool") noteResult(calls.get(message.tool_call_id), current);
    } else {
      if (message.role === "tool") noteResult(calls.get(message.tool_call_id), current);
      current.messages.push(message);
      if (message.role !== "tool") current.lastNonTool = current.messages.length - 1;
    }
    if (message.role === "assistant") {
      const call: Call = { unit: current, at: current.messages.length - 1, answeredElsewhere: false };
      for (const toolCall of message.tool_calls ?? []) calls.set(toolCall.id, call);
      const answered = message.tool_calls?.map((toolCall) => early.get(toolCall.id)).find((unit) => unit !== undefined);
      if (answered !== undefined && answered !== current) earlyMoves.push({ unit: current, at: call.at, early: answered });
    }
  }
  const placedUnder = new Map<Unit, Unit>();
  for (const move of earlyMoves) moved = placeBeforeEarlyResult(move, order, placedUnder) || moved;
  if (!moved) return messages;
  return flatten(order);
}

/** Where each call id is first called and last answered, for telling a result that arrives before its call. */
function toolIndex(messages: readonly ChatMessage[]): { firstCallAt: Map<string, number>; lastResultAt: Map<string, number> } {
  const firstCallAt = new Map<string, number>();
  const lastResultAt = new Map<string, number>();
  for (const [index, message] of messages.entries()) {
    if (message.role === "tool") lastResultAt.set(message.tool_call_id, index);
    else if (message.role === "assistant") for (const toolCall of message.tool_calls ?? []) if (!firstCallAt.has(toolCall.id)) firstCallAt.set(toolCall.id, index);
  }
  return { firstCallAt, lastResultAt };
}

/**
 * Where the call of a result that came before it is (its index in the history), or undefined: the
 * call comes later, with no result after it. A call answered after it (a provider that numbers its
 * calls `call_0` each turn) makes the earlier result an orphan of a call never stored, which stays
 * where it is.
 */
function earlyCallAt(id: string, firstCallAt: ReadonlyMap<string, number>, lastResultAt: ReadonlyMap<string, number>): number | undefined {
  const callAt = firstCallAt.get(id);
  return callAt !== undefined && lastResultAt.get(id)! < callAt ? callAt : undefined;
}

/**
 * Moves the call's exchange right before its early result: the question and the call with the results
 * that followed it on time; what the exchange stored after them goes after the early result's unit.
 * Not when the early result's unit already sits (however deep) in the exchange's `before`: the
 * two would hold each other, and neither would be sent.
 */
function placeBeforeEarlyResult({ unit, at, early }: EarlyMove, order: (Unit | undefined)[], placedUnder: Map<Unit, Unit>): boolean {
  if (unit.slot === BEFORE_EARLY_RESULT || rootOf(early, placedUnder) === unit) return false;
  let end = at + 1;
  while (end < unit.messages.length && unit.messages[end]!.role === "tool") end++;
  if (end < unit.messages.length) (early.after ??= []).push({ messages: unit.messages.splice(end), slot: BEFORE_EARLY_RESULT, lastNonTool: 0 });
  order[unit.slot] = undefined;
  unit.slot = BEFORE_EARLY_RESULT;
  (early.before ??= []).push(unit);
  placedUnder.set(unit, early);
  return true;
}

/** The unit in the order that `unit` is placed under, through `before` lists (paths shortened as walked). */
function rootOf(unit: Unit, placedUnder: Map<Unit, Unit>): Unit {
  let root = unit;
  while (placedUnder.has(root)) root = placedUnder.get(root)!;
  for (let at = unit; at !== root; ) {
    const next = placedUnder.get(at)!;
    placedUnder.set(at, root);
    at = next;
  }
  return root;
}

/** The units' messages in order: each unit's `before`, its messages, its `after`; without recursion (nesting is client-made). */
function flatten(order: readonly (Unit | undefined)[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const stack: (Unit | ChatMessage[])[] = [];
  for (const unit of order) {
    if (unit === undefined) continue;
    stack.push(unit);
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (Array.isArray(top)) {
        for (const message of top) out.push(message);
        continue;
      }
      for (let i = (top.after?.length ?? 0) - 1; i >= 0; i--) stack.push(top.after![i]!);
      stack.push(top.messages);
      for (let i = (top.before?.length ?? 0) - 1; i >= 0; i--) stack.push(top.before![i]!);
    }
  }
  return out;
}

/**
 * Whether a result, about to join `current`, belongs with a call of an earlier exchange that ends with
 * the call and its results so far, none of the call's results sitting apart from it.
 */
function lateFor(call: Call | undefined, current: Unit | undefined): boolean {
  if (call === undefined || call.unit === current || call.answeredElsewhere) return false;
  return call.unit.lastNonTool === call.at;
}

/** A result that stays where it arrived: away from its call, it keeps the call's later results away. */
function noteResult(call: Call | undefined, current: Unit): void {
  if (call !== undefined && (call.unit !== current || current.lastNonTool !== call.at)) call.answeredElsewhere = true;
}
