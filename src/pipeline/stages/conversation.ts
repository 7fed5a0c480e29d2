/**
 * Stage 1: the conversation. Loads the session named by `x-session-id` (scoped to the caller's
 * tenant) and merges it with what the client sent, so a client may send only its new turn.
 * Storage trouble never fails the request: it goes on with what the client sent, marked degraded.
 */
import type { ChatCompletionRequest } from "../../api/chat-request.js";
import { SESSION_ID_HEADER } from "../../context/headers.js";
import { mergeHistory, type MergedHistory } from "../../context/merge.js";
import { sessionScope, type SessionScope } from "../../context/session-id.js";
import type { LoadOptions } from "../../context/backend.js";
import type { ContextStore, LoadResult } from "../../context/store.js";
import type { TurnMeta } from "../../context/turn.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { readSessionState, restoreStoredMessage, type SessionState } from "../session-state.js";

export interface Conversation {
  scope: SessionScope | undefined;
  /** Undefined without a session; `degraded` when the store could not be read. */
  loaded: LoadResult | undefined;
  merged: MergedHistory;
  /** The client's body with the whole conversation as its messages. */
  request: ChatCompletionRequest;
  state: SessionState;
  /**
   * For each of `request.messages`, its index in the client's own `messages`, or undefined when it
   * came from the stored session: an error about a message names it as the client knows it.
   */
  clientIndex: readonly (number | undefined)[];
  /** For each of `request.messages` that came from the stored session, the metadata it was stored with. */
  storedMeta: readonly (TurnMeta | undefined)[];
}

const NOTHING_STORED = { instructions: [], turns: [] };
const REQUEST_ID_HEADER = "x-request-id";

/**
 * @param storage pii.yaml's `context_storage`: only a `sanitized` store holds placeholders to restore.
 * A `raw` one holds the text as sent, where `<EMAIL_ADDRESS_1>` is what the client typed.
 * @param options `readOnly` for a dry run (`POST /v1/route`): the session is read without restarting
 * its TTL or writing anything.
 */
export async function loadConversation(ctx: ChatRequestContext, store: ContextStore, storage: "raw" | "sanitized", options: LoadOptions = {}): Promise<Conversation> {
  const scope = sessionScope(ctx.tenant, ctx.header(SESSION_ID_HEADER));
  const loaded = scope ? await store.load(scope, options) : undefined;
  const merged = mergeHistory(loaded ?? NOTHING_STORED, ctx.body.messages, { clientRequestId: clientRequestId(ctx) });
  const { state, problem } = readSessionState(loaded?.state);
  if (problem) ctx.log.warn({ problem }, "session state reset");
  const sent = new Map(ctx.body.messages.map((message, index) => [message, index]));
  const clientIndex = merged.messages.map((message) => sent.get(message));
  const metaOf = new Map(loaded?.turns.map((turn) => [turn.message, turn.meta]));
  const storedMeta = merged.messages.map((message) => metaOf.get(message));
  const messages =
    storage === "sanitized" && state.vault.size > 0
      ? merged.messages.map((message, i) => (clientIndex[i] === undefined ? restoreStoredMessage(message, state.vault) : message))
      : merged.messages;
  // Always the merged messages: with nothing stored but instructions (every turn trimmed, or the turn
  // list evicted), the conversation is new but still opens with the stored instructions.
  const request = { ...ctx.body, messages };
  return { scope, loaded, merged, request, state, clientIndex, storedMeta };
}

/**
 * The request id the client sent, when the gateway uses it (a sane token, see the request-id
 * middleware). One the gateway made up is new for every request, so it never marks a retry.
 */
function clientRequestId(ctx: ChatRequestContext): string | undefined {
  return ctx.header(REQUEST_ID_HEADER) === ctx.requestId ? ctx.requestId : undefined;
}
