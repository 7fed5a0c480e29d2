/**
 * What the gateway keeps with a conversation besides its turns: the pseudonym vault (so a value gets
 * the same placeholder on every turn) and the sticky-routing state. Read defensively: a blob written
 * by another version, or damaged, starts the conversation's state afresh instead of failing it.
 */
import { z } from "zod";
import { StickyStateSchema, type StickyState } from "../policy/features.js";
import type { ChatMessage } from "../api/chat-request.js";
import { PseudonymVault, restore, restoreToolCall, vaultFromJSON, vaultToJSON } from "../pii/index.js";

const SessionStateSchema = z.object({
  vault: z.string().optional(),
  sticky: StickyStateSchema.optional(),
});

export interface SessionState {
  vault: PseudonymVault;
  sticky: StickyState | undefined;
}

export function readSessionState(blob: unknown): { state: SessionState; problem?: string } {
  const parsed = SessionStateSchema.safeParse(blob ?? {});
  if (!parsed.success) return { state: { vault: new PseudonymVault(), sticky: undefined }, problem: "unreadable session state" };
  try {
    const vault = parsed.data.vault ? vaultFromJSON(parsed.data.vault) : new PseudonymVault();
    return { state: { vault, sticky: parsed.data.sticky } };
  } catch {
    return { state: { vault: new PseudonymVault(), sticky: parsed.data.sticky }, problem: "unreadable pseudonym vault" };
  }
}

export function writeSessionState(state: SessionState): z.infer<typeof SessionStateSchema> {
  return {
    // Also with every entry pruned: its counters keep numbers once handed out from being reused.
    ...(state.vault.size > 0 || state.vault.numbered > 0 ? { vault: vaultToJSON(state.vault) } : {}),
    ...(state.sticky ? { sticky: state.sticky } : {}),
  };
}

/**
 * A stored message as the client sent or received it: placeholders of `context_storage: sanitized`
 * restored from the session's vault (content, the `name` alias, tool-call arguments). Used where the
 * stored history is loaded: the pipeline's conversation and `GET /v1/sessions/{id}`.
 */
export function restoreStoredMessage(message: ChatMessage, vault: PseudonymVault): ChatMessage {
  const content = message.content;
  const restored: ChatMessage =
    typeof content === "string"
      ? { ...message, content: restore(content, vault) }
      : Array.isArray(content)
        ? ({ ...message, content: content.map((part) => (part.type === "text" ? { ...part, text: restore(part.text, vault) } : part)) } as ChatMessage)
        : message;
  // A name is stored as its bracket-less alias (`PERSON_1`: a name allows no `<>`): restored, it is
  // pseudonymized again for this request, which then restores the alias in the answer too.
  const name = (restored as { name?: unknown }).name;
  const storedName = typeof name === "string" ? vault.valueOf(`<${name}>`) : undefined;
  if (storedName !== undefined) (restored as { name?: string }).name = storedName;
  if (restored.role !== "assistant") return restored;
  const { tool_calls: calls, function_call: legacyCall } = restored;
  return {
    ...restored,
    ...(calls ? { tool_calls: calls.map((call) => restoreToolCall(call, vault)) } : {}),
    // The deprecated single call is a function call without an id: its JSON arguments are restored alike.
    ...(legacyCall ? { function_call: restoreToolCall({ type: "function", function: legacyCall }, vault).function } : {}),
  };
}
