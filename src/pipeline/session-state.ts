/**
 * What the gateway keeps with a conversation besides its turns: the pseudonym vault (so a value gets
 * the same placeholder on every turn) and the sticky-routing state. Read defensively: a blob written
 * by another version, or damaged, starts the conversation's state afresh instead of failing it.
 */
import { z } from "zod";
import { StickyStateSchema, type StickyState } from "../policy/features.js";
import { PseudonymVault, vaultFromJSON, vaultToJSON } from "../pii/index.js";

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
    ...(state.vault.size > 0 ? { vault: vaultToJSON(state.vault) } : {}),
    ...(state.sticky ? { sticky: state.sticky } : {}),
  };
}
