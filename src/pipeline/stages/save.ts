/**
 * Stage 7: keep the turn. Appends the client's new messages and the answer to the session (one
 * round trip, with the pseudonym vault and sticky-routing state alongside). Only after a good load:
 * after a degraded one the store could not tell which messages were new, and saving would
 * duplicate turns.
 */
import { isDeepStrictEqual } from "node:util";
import type { ChatMessage } from "../../api/chat-request.js";
import type { SessionScope } from "../../context/session-id.js";
import type { ContextStore, LoadResult, SessionWrite, StoredText } from "../../context/store.js";
import { storedMeanwhile } from "../../context/stored-meanwhile.js";
import type { TurnMeta } from "../../context/turn.js";
import type { Location } from "../../models/registry.js";
import type { PseudonymVault, Sanitizer } from "../../pii/index.js";
import { PLACEHOLDER_BODY } from "../../pii/vault.js";
import type { StickyState } from "../../policy/features.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { readSessionState, writeSessionState } from "../session-state.js";
import type { Conversation } from "./conversation.js";

export interface TurnFacts {
  route: Location;
  model: string;
  /** The answering model's provider, recorded on the answer's turn: its calls' vendor fields go back to it only. */
  provider: string;
  intent: string | undefined;
  /** What the policy wants remembered for the next turn; null forgets it. */
  sticky: StickyState | null;
}

const PLACEHOLDER = new RegExp(PLACEHOLDER_BODY, "g");

/**
 * Saves of the state alone after a conflict (another request of the session wrote its state first)
 * before giving up: the turns are stored by then, and only the vault's pruning or the sticky route
 * waits for the next save.
 */
const MAX_STATE_ATTEMPTS = 3;
/**
 * How long turns that wait on the state keep being redone. Every round of conflicting saves lets one
 * writer through, so a burst of N requests answered together needs N rounds of one round trip each:
 * a count would drop the turns of every request past it, a deadline only those of a store too slow
 * to finish. It counts from when the replica's queue of the session's redos reaches this one.
 */
const TURN_SAVE_DEADLINE_MS = 5_000;

/**
 * Messages are stored in the form pii.yaml's `context_storage` asks for (raw, or sanitized with the
 * session's vault); `visible` keeps what the client saw, so a resent history still matches.
 *
 * The state (the vault among it) is written whole, and only if no other request of the session wrote
 * it since this one loaded it: two requests in flight at once number new values from the same vault,
 * so both may call different people `<PERSON_1>`. On a conflict the save gets the stored state back,
 * and redoes its own from it: turns naming a placeholder are sanitized again with that vault, so
 * their values get placeholders of their own — a new one, or one another request pruned meanwhile
 * (which is why such turns are saved conditionally even when the state is unchanged).
 *
 * Every write carries the erasure mark the load saw: when the session is erased (DELETE) while this
 * request is answered, the store writes nothing and says so. That is no failure — the client has its
 * answer, and the erasure it was promised holds — so it is logged at info and not counted as degraded.
 */
export async function saveTurn(
  ctx: ChatRequestContext,
  deps: { store: ContextStore; sanitizer: Sanitizer },
  conversation: Conversation,
  answer: ChatMessage,
  facts: TurnFacts,
): Promise<void> {
  const { scope, loaded } = conversation;
  if (!scope || loaded?.status !== "ok") return;
  const saver = turnSaver(ctx, deps, { ...conversation, scope, loaded }, answer, facts);
  // The first try is sent at once, before the answer leaves: the session's next turn loads after it.
  if (await saver.attempt()) return;
  // Redos after a conflict run one at a time per session on this replica: a burst of N requests
  // answered together would otherwise sanitize each turn again on every round, N²/2 PII scans in all.
  await deps.store.oneAtATime(scope, async () => {
    const deadline = Date.now() + TURN_SAVE_DEADLINE_MS;
    while (!(await saver.attempt(deadline)));
  });
}

/** Tries to save the turn; each try after a conflict is redone from the stored state and history. */
function turnSaver(
  ctx: ChatRequestContext,
  deps: { store: ContextStore; sanitizer: Sanitizer },
  conversation: Conversation & { scope: SessionScope; loaded: Extract<LoadResult, { status: "ok" }> },
  answer: ChatMessage,
  facts: TurnFacts,
): { attempt(deadline?: number): Promise<boolean> } {
  const { scope, loaded, merged } = conversation;
  const meta: TurnMeta = {
    at: Date.now(),
    route: facts.route,
    model: facts.model,
    requestId: ctx.requestId,
    ...(facts.intent ? { intent: facts.intent } : {}),
    ...(merged.replace ? { rewrite: true as const } : {}),
  };
  // The answering provider wrote the answer only: the client's own turns record none.
  const answerMeta: TurnMeta = { ...meta, provider: facts.provider };
  const visibleTurns = [...merged.newTurns, answer];
  const inputs = (stored: readonly ChatMessage[], visible: readonly ChatMessage[], answerAt = -1) =>
    stored.map((message, i) => ({ message, visible: visible[i], meta: i === answerAt ? answerMeta : meta }));
  let base = { state: conversation.state, stored: loaded.state, version: loaded.stateVersion };
  // A retry of the request that stored the session's last turns: they are stored already (the first
  // attempt's answer with them); only a changed state is written.
  let turnsSaved = merged.retried === true;
  if (turnsSaved) ctx.log.info("conversation turn not saved again: a retry of the request that stored the session's last turns");
  // The vault keeps only what the session still names (see `prunedVault`): the stored history and
  // instructions (as loaded, then after a conflict as stored by then; none of what this request's
  // rewrite or new instructions replace, until they are written), and this turn as stored. Undefined
  // when the stored text could not be read: then nothing is pruned.
  const loadedVault = readSessionState(loaded.state).state.vault;
  const keptTextOf = (stored: StoredText) =>
    JSON.stringify([merged.replace && !turnsSaved ? [] : stored.turns.map((t) => t.message), merged.instructions && !turnsSaved ? [] : stored.instructions.map((t) => t.message)]);
  let keptText: string | undefined = keptTextOf(loaded);
  let turnText = "";
  let attempt = 0;

  /** One try: true when there is nothing more to do (saved, or given up, and logged). */
  return {
    async attempt(deadline) {
      attempt++;
      let write: SessionWrite = { turns: [], ifEpoch: loaded.epoch };
      if (!turnsSaved) {
        const options = { vault: base.state.vault, tenant: ctx.tenant.id };
        const storedTurns = deps.sanitizer.sanitizeForStorage(visibleTurns, options);
        const storedInstructions = merged.instructions ? deps.sanitizer.sanitizeForStorage(merged.instructions, options) : undefined;
        if (!storedTurns || (merged.instructions && !storedInstructions)) {
          ctx.log.warn("conversation turn not saved: it could not be checked for personal data");
          return true;
        }
        turnText = JSON.stringify([storedTurns, storedInstructions ?? []]);
        write = {
          ...write,
          turns: inputs(storedTurns, visibleTurns, visibleTurns.length - 1),
          ...(merged.instructions && storedInstructions ? { instructions: inputs(storedInstructions, merged.instructions) } : {}),
          ...(merged.replace ? { replace: true } : {}),
        };
      }
      const vault = keptText === undefined ? base.state.vault : prunedVault(base.state.vault, loadedVault, [keptText, turnText]);
      const state = writeSessionState({ vault, sticky: facts.sticky ?? undefined });
      // Turns naming a placeholder need the stored vault to still hold it: another request of the session
      // may have pruned it since the load (its history no longer named it), while this turn names it
      // again. So they are written only if the state is still the one this request's vault derives
      // from — also when that state is unchanged, which is then checked but not written (storing the
      // turns still raises the state version: see `RawWrite.turnsNeedState`). On a conflict
      // they are sanitized again with the stored vault. An unchanged state is not written, so requests
      // whose turns name no placeholder and keep the routing never conflict.
      const needsState = namesPlaceholder(write, vault);
      if (!isDeepStrictEqual(state, base.stored ?? {})) {
        write = { ...write, state, ifStateVersion: base.version, turnsNeedState: needsState };
      } else if (turnsSaved) return true;
      else if (needsState) write = { ...write, ifStateVersion: base.version, turnsNeedState: true };

      const lastTry = turnsSaved ? attempt >= MAX_STATE_ATTEMPTS : deadline !== undefined && Date.now() >= deadline;
      const result = await deps.store.save(scope, lastTry ? { ...write, lastTry } : write);
      if (result.status === "ok") return true;
      if (result.status === "erased") {
        ctx.log.info({ turnsSaved }, "conversation turn not saved: the session was erased while the request was answered");
        return true;
      }
      if (result.status === "degraded") {
        // The answer is out already, so no header can tell the client: the log says why, plainly.
        // An unavailable store may have run a save it answered too late for: "not saved" would be wrong.
        const why =
          result.reason === "too_large"
            ? "conversation turn not saved: the session's instructions and state (pseudonym vault, sticky route) exceed the context size limit (max_bytes)"
            : result.reason === "unavailable"
              ? "conversation turn may not be saved: the context store did not answer in time or is unreachable (a save it got may still be stored)"
              : "conversation turn not saved";
        ctx.log.warn({ reason: result.reason }, why);
        return true;
      }
      turnsSaved ||= result.turnsSaved;
      if (lastTry) {
        const why = turnsSaved ? "session state not saved" : "conversation turn not saved";
        ctx.log.warn({ reason: "conflict", attempts: attempt, turnsSaved }, `${why}: other requests of the session kept changing it`);
        return true;
      }
      base = { state: readSessionState(result.state).state, stored: result.state, version: result.stateVersion };
      if (!turnsSaved && result.stored && storedMeanwhile(result.stored.turns, loaded.turns, { requestId: ctx.requestId, sent: merged.newTurns, answer, replace: merged.replace })) {
        // The client's next request (or its retry of this one) stored this turn while its save waited
        // on the conflict: written again, the session would hold it twice, and a rewrite would drop
        // the turns stored after it.
        turnsSaved = true;
        ctx.log.info("conversation turn not saved again: another request of the session stored it (the client's next request, or its retry)");
      }
      // Turns other requests stored since the load may name again what this request's history no
      // longer names: the redone state keeps what the session stores now names.
      keptText = result.stored ? keptTextOf(result.stored) : undefined;
      return false;
    },
  };
}

/**
 * The vault to store: without the entries of the loaded vault that nothing kept names any more — the
 * stored history (as loaded, or as stored by a conflict; already trimmed to the limits), the
 * instructions and this turn.
 * Turns trimmed long ago take their values with them, so the state stays about as large as the
 * history it serves instead of growing with every value the conversation ever named; the store trims
 * the oldest turns after this, and their entries go with the next save. Only entries of the loaded
 * vault go: those the state gained from other requests since the load (a conflict) are kept. The
 * counters stay, so a pruned number is never handed out again.
 */
function prunedVault(vault: PseudonymVault, loadedVault: PseudonymVault, texts: readonly string[]): PseudonymVault {
  if (loadedVault.size === 0) return vault;
  const named = loadedVault.namedIn(texts);
  if (named.size === loadedVault.size) return vault;
  return vault.retainOnly((placeholder) => named.has(placeholder) || loadedVault.valueOf(placeholder) === undefined);
}

/**
 * Whether the turns to store name any placeholder of the vault they were sanitized with: one this
 * request handed out (stored without this request's vault, it would read as whoever else gets that
 * number), or one the loaded vault held, which another request may have pruned since.
 */
function namesPlaceholder(write: SessionWrite, vault: PseudonymVault): boolean {
  if (vault.size === 0 || write.turns.length === 0) return false;
  const text = JSON.stringify([write.turns.map((t) => t.message), write.instructions?.map((t) => t.message)]);
  // Bracketed or bare: message names carry the identifier-safe form (`PERSON_1`).
  for (const [body] of text.matchAll(PLACEHOLDER)) {
    if (vault.valueOf(`<${body}>`) !== undefined) return true;
  }
  return false;
}
