/**
 * Stage 1: the conversation. Loads the session named by `x-session-id` (scoped to the caller's
 * tenant) and merges it with what the client sent, so a client may send only its new turn.
 * Storage trouble never fails the request: it goes on with what the client sent, marked degraded.
 */
import type { ChatCompletionRequest, ChatMessage } from "../../api/chat-request.js";
import type { PseudonymVault } from "../../pii/index.js";
import { SESSION_ID_HEADER } from "../../context/headers.js";
import { mergeHistory, type MergedHistory } from "../../context/merge.js";
import { sessionScope, type SessionScope } from "../../context/session-id.js";
import type { ContextStore, LoadResult } from "../../context/store.js";
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
}

const NOTHING_STORED = { instructions: [], turns: [] };
const REQUEST_ID_HEADER = "x-request-id";

export async function loadConversation(ctx: ChatRequestContext, store: ContextStore): Promise<Conversation> {
  const scope = sessionScope(ctx.tenant, ctx.header(SESSION_ID_HEADER));
  const loaded = scope ? await store.load(scope) : undefined;
  const merged = mergeHistory(loaded ?? NOTHING_STORED, ctx.body.messages, { clientRequestId: clientRequestId(ctx) });
  const { state, problem } = readSessionState(loaded?.state);
  if (problem) ctx.log.warn({ problem }, "session state reset");
  const messages = state.vault.size > 0 ? withStoredTurnsRestored(merged.messages, merged.newTurns, state.vault) : merged.messages;
  // Always the merged messages: with nothing stored but instructions (every turn trimmed, or the turn
  // list evicted), the conversation is new but still opens with the stored instructions.
  const request = { ...ctx.body, messages };
  return { scope, loaded, merged, request, state };
}

/**
 * The request id the client sent, when the gateway uses it (a sane token, see the request-id
 * middleware). One the gateway made up is new for every request, so it never marks a retry.
 */
function clientRequestId(ctx: ChatRequestContext): string | undefined {
  return ctx.header(REQUEST_ID_HEADER) === ctx.requestId ? ctx.requestId : undefined;
}

/**
 * Turns stored sanitized carry the session's placeholders; the conversation the models see (and the
 * PII stage sanitizes again for the cloud) starts from the original text.
 */
function withStoredTurnsRestored(messages: readonly ChatMessage[], fresh: readonly ChatMessage[], vault: PseudonymVault): ChatMessage[] {
  const isFresh = new Set(fresh);
  return messages.map((message) => (isFresh.has(message) ? message : restoreStoredMessage(message, vault)));
}
