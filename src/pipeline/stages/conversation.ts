/**
 * Stage 1: the conversation. Loads the session named by `x-session-id` (scoped to the caller's
 * tenant) and merges it with what the client sent, so a client may send only its new turn.
 * Storage trouble never fails the request: it goes on with what the client sent, marked degraded.
 */
import type { ChatCompletionRequest } from "../../api/chat-request.js";
import { SESSION_ID_HEADER } from "../../context/headers.js";
import { mergeHistory, type MergedHistory } from "../../context/merge.js";
import { sessionScope, type SessionScope } from "../../context/session-id.js";
import type { ContextStore, LoadResult } from "../../context/store.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { readSessionState, type SessionState } from "../session-state.js";

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

export async function loadConversation(ctx: ChatRequestContext, store: ContextStore): Promise<Conversation> {
  const scope = sessionScope(ctx.tenant, ctx.header(SESSION_ID_HEADER));
  const loaded = scope ? await store.load(scope) : undefined;
  const merged = mergeHistory(loaded ?? NOTHING_STORED, ctx.body.messages);
  const { state, problem } = readSessionState(loaded?.state);
  if (problem) ctx.log.warn({ problem }, "session state reset");
  const request = merged.mode === "new" ? ctx.body : { ...ctx.body, messages: merged.messages };
  return { scope, loaded, merged, request, state };
}
