/**
 * What an answer must carry for OpenAI's SDKs to read it. A stream's chunks, across chunks: some
 * OpenAI-compatible servers leave out what OpenAI always sends: Gemini's OpenAI-compatible API sends
 * each tool call's delta without `index` (the SDK's `ChatCompletionStream` files calls by it: without
 * one, every call is lost and `finalChatCompletion()` has `tool_calls: []`; the pipeline's own
 * collector joined them all into one call); some servers start a choice without `role: "assistant"`
 * (older llama.cpp builds leave it out, MiniMax sends `""`, llama.cpp-based servers `null` while
 * streaming reasoning), on which `finalChatCompletion()` throws "missing role for choice 0" after the
 * whole answer streamed (a stream choice without its own `index`, which needs no earlier chunk, is
 * completed per event by `checkedChunk`, chunk-shape.ts). A whole answer's message without a role is
 * no assistant message to `runTools()` (it threw "stream ended without producing a
 * ChatCompletionMessage with role=assistant"), and a choice without `index`, relayed as a stream's
 * chunks, has no place.
 * Completed here, once per answer, before any reader. A tool call's missing `type` is not: the pipeline
 * reads it from the call's fields (`readableCall`, answer.ts), for the session as for the client.
 */
import type { ChatCompletion, ChatCompletionChunk } from "../types.js";

/** Whether `role` names one: `""` and `null` (servers that always send the field) do not. */
const namesRole = (role: unknown) => typeof role === "string" && role.length > 0;

/**
 * The completion with each choice's `index` (its place when missing) and its message's `role`
 * (`assistant` when it names none), filled in place.
 *
 * @example
 * shapedCompletion({ choices: [{ message: { content: "Hi." }, finish_reason: "stop" }] }) // → choices[0]: index 0, message.role "assistant"
 */
export function shapedCompletion(completion: ChatCompletion): ChatCompletion {
  for (const [position, choice] of completion.choices.entries()) {
    if (typeof choice.index !== "number") choice.index = position;
    if (!namesRole(choice.message.role)) choice.message.role = "assistant";
  }
  return completion;
}

/** One call's piece in a delta, as an upstream may send it (`index` left out). */
type CallPiece = { index?: unknown; id?: unknown; function?: unknown; custom?: unknown };

/** The tool calls of one choice seen so far: which index each call id has, the indexes seen, the latest call written to, and each call's name so far. */
interface ChoiceCalls {
  byId: Map<string, number>;
  seen: Set<number>;
  next: number;
  last: number | undefined;
  names: Map<number, string>;
}

/** Whether a piece writes its call (a name, arguments or a custom call's input), not only names it (`extra_content`). */
function writes(piece: CallPiece): boolean {
  for (const part of [piece.function, piece.custom]) {
    if (part === null || typeof part !== "object") continue;
    const { name, arguments: args, input } = part as { name?: unknown; arguments?: unknown; input?: unknown };
    if ([name, args, input].some((text) => typeof text === "string" && text.length > 0)) return true;
  }
  return false;
}

/**
 * Completes chunks of one stream in place, in order, after `checkedChunk` (each choice has its `index`
 * and `delta`). A choice's first delta says `role: "assistant"` when it names no role. A tool call
 * piece without a numeric `index` gets the index of the call with its id, a new one for an id not
 * seen, or, with no id, the latest call written to (the rest of its arguments, as OpenAI streams a
 * call after its first piece); a piece without an id whose index an earlier entry of the same delta
 * has gets a new one (parallel calls sent in one delta with `id: ""`, as some proxies relay Gemini's).
 * Id-less calls in later chunks are not told apart: such a piece continues the latest call. A call's
 * name (or the deprecated `function_call`'s) repeated whole on a later piece is left out (`nameOnce`).
 *
 * @example
 * const shape = streamShaper();
 * shape(chunk) // → chunk, its indexless calls numbered 0, 1, … in the order their ids came
 */
export function streamShaper(): (chunk: ChatCompletionChunk) => ChatCompletionChunk {
  const choices = new Map<number, ChoiceCalls>();
  const started = new Set<number>();
  /** Each choice's deprecated `function_call` name so far. */
  const functionNames = new Map<number, string>();
  return (chunk) => {
    for (const choice of chunk.choices) {
      if (!started.has(choice.index)) {
        started.add(choice.index);
        // The only role an answer's delta has.
        if (!namesRole(choice.delta.role)) choice.delta.role = "assistant";
      }
      nameOnce(choice.delta.function_call, functionNames, choice.index);
      const pieces = choice.delta.tool_calls as CallPiece[] | null | undefined;
      if (!Array.isArray(pieces) || pieces.length === 0) continue;
      let calls = choices.get(choice.index);
      if (!calls) choices.set(choice.index, (calls = { byId: new Map(), seen: new Set(), next: 0, last: undefined, names: new Map() }));
      // The id-less entries of one delta's list are distinct calls, whatever such a piece would continue
      // (an entry with an id is its id's call: a proxy may send a call's fields in two entries).
      const inDelta = new Set<number>();
      for (const piece of pieces) {
        if (piece === null || typeof piece !== "object") continue;
        const id = typeof piece.id === "string" && piece.id.length > 0 ? piece.id : undefined;
        if (typeof piece.index !== "number") {
          const index = indexFor(calls, id);
          piece.index = id === undefined && inDelta.has(index) ? calls.next : index;
        }
        const index = piece.index as number;
        inDelta.add(index);
        if (id !== undefined && !calls.byId.has(id)) calls.byId.set(id, index);
        calls.next = Math.max(calls.next, index + 1);
        // A piece only naming an earlier call (its metadata) leaves the latest call as it was: the
        // id-less pieces after it are still that call's arguments.
        if (!calls.seen.has(index) || writes(piece)) calls.last = index;
        calls.seen.add(index);
        nameOnce(piece.function, calls.names, index);
        nameOnce(piece.custom, calls.names, index);
      }
    }
    return chunk;
  };
}

/**
 * Leaves out a call's name piece that is the whole name so far again: OpenAI sends a call's name once,
 * in its first piece, and some servers repeat it (with the id) on every piece, which a reader that
 * joins the pieces (as OpenAI streams them) reads as `get_weatherget_weather`, a tool the session's next
 * request would send upstream without it existing. (The OpenAI SDK keeps the last piece's name, as this
 * keeps the first.) So a name streamed as two equal halves ("echo" + "echo") reads "echo".
 */
function nameOnce(part: unknown, names: Map<number, string>, key: number): void {
  if (part === null || typeof part !== "object") return;
  const named = part as { name?: unknown };
  if (typeof named.name !== "string" || named.name.length === 0) return;
  const sofar = names.get(key) ?? "";
  if (named.name === sofar) delete named.name;
  else names.set(key, sofar + named.name);
}

function indexFor(calls: ChoiceCalls, id: string | undefined): number {
  if (id === undefined) return calls.last ?? calls.next;
  return calls.byId.get(id) ?? calls.next;
}
