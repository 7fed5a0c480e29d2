/**
 * Stage 7: keep the turn. Appends the client's new messages and the answer to the session (one
 * round trip, with the pseudonym vault and sticky-routing state alongside). Only after a good load:
 * after a degraded one the store could not tell which messages were new, and saving would
 * duplicate turns.
 */
import type { ChatMessage } from "../../api/chat-request.js";
import type { ContextStore } from "../../context/store.js";
import type { TurnMeta } from "../../context/turn.js";
import type { Location } from "../../models/registry.js";
import type { Sanitizer } from "../../pii/index.js";
import type { StickyState } from "../../policy/features.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { writeSessionState } from "../session-state.js";
import type { Conversation } from "./conversation.js";

export interface TurnFacts {
  route: Location;
  model: string;
  intent: string | undefined;
  /** What the policy wants remembered for the next turn; null forgets it. */
  sticky: StickyState | null;
}

/**
 * Messages are stored in the form pii.yaml's `context_storage` asks for (raw, or sanitized with the
 * session's vault); `visible` keeps what the client saw, so a resent history still matches.
 */
export async function saveTurn(
  ctx: ChatRequestContext,
  deps: { store: ContextStore; sanitizer: Sanitizer },
  conversation: Conversation,
  answer: ChatMessage,
  facts: TurnFacts,
): Promise<void> {
  if (!conversation.scope || conversation.loaded?.status !== "ok") return;
  const meta: TurnMeta = { at: Date.now(), route: facts.route, model: facts.model, requestId: ctx.requestId, ...(facts.intent ? { intent: facts.intent } : {}) };
  const { merged, state } = conversation;
  const options = { vault: state.vault, tenant: ctx.tenant.id };
  const visibleTurns = [...merged.newTurns, answer];
  const storedTurns = deps.sanitizer.sanitizeForStorage(visibleTurns, options);
  const storedInstructions = merged.instructions ? deps.sanitizer.sanitizeForStorage(merged.instructions, options) : undefined;
  if (!storedTurns || (merged.instructions && !storedInstructions)) {
    ctx.log.warn("conversation turn not saved: it could not be checked for personal data");
    return;
  }
  const inputs = (stored: readonly ChatMessage[], visible: readonly ChatMessage[]) => stored.map((message, i) => ({ message, visible: visible[i], meta }));
  const result = await deps.store.save(conversation.scope, {
    turns: inputs(storedTurns, visibleTurns),
    ...(merged.instructions && storedInstructions ? { instructions: inputs(storedInstructions, merged.instructions) } : {}),
    replace: merged.replace,
    state: writeSessionState({ vault: state.vault, sticky: facts.sticky ?? undefined }),
  });
  if (result.status === "degraded") ctx.log.warn({ reason: result.reason }, "conversation turn not saved");
}
