/**
 * Stage 4 (per target): the request one model receives. Leaves out stored calls' vendor fields another
 * provider wrote, refuses what the model cannot do, fits the conversation into its context window
 * (newest turns first, system prompt kept), applies the policy's max-tokens cap, and passes it through
 * the PII policy for where the model runs. A model beyond the host only ever gets a `CloudSafeRequest`.
 */
import { hasVendorFields, requestedMaxTokens, withoutVendorFieldsAt, type ChatCompletionRequest, type ChatMessage } from "../../api/chat-request.js";
import { contextLengthExceeded, fitToBudget } from "../../context/budget.js";
import { echo } from "../../api/echo.js";
import { SESSION_ID_HEADER } from "../../context/headers.js";
import { isInstruction } from "../../context/turn.js";
import { GatewayError, invalidRequest } from "../../errors.js";
import type { ModelEntry, ModelRegistry } from "../../models/registry.js";
import { cloudSafeWithoutVendorFields, type CloudOutcome, type CloudSafeRequest, type PiiSummaryEntry, type Sanitizer } from "../../pii/index.js";
import { PiiBlockedError } from "../../pii/sanitize.js";
import type { PiiRouteAction } from "../../policy/schema.js";
import type { ProviderSet } from "../../providers/provider-set.js";
import type { EgressProvider, OnHostProvider } from "../../providers/types.js";
import { asSent, assertSupportedAsSent } from "../capabilities.js";
import type { Conversation } from "./conversation.js";

/**
 * Room for what the per-message counts do not see: a plain prompt's opening token and closing
 * `Assistant:` turn, and tokens a template's framing shares with the text beside it. A template's
 * own opening and answer turn are measured (`promptOverheadTokens`) and come on top.
 */
const PROMPT_FRAMING_TOKENS = 16;

/** At most what one message's count exceeds its share of the rendered prompt by (its role prefix, the blank line). */
const MESSAGE_FRAMING_SLACK_TOKENS = 16;

/**
 * `restoresPlaceholders`: the answer's placeholders are the session vault's to turn back into values —
 * only when the request went through a scan that put them there. A request sent as the client wrote
 * it holds none of ours, so a placeholder in its answer is text the client typed (and the model echoed).
 */
export type PreparedCall =
  | { location: "local"; model: ModelEntry; provider: OnHostProvider; request: ChatCompletionRequest; dropped: number; pii: PiiSummaryEntry[]; restoresPlaceholders: boolean }
  | { location: "cloud"; model: ModelEntry; provider: EgressProvider; request: CloudSafeRequest; dropped: number; pii: PiiSummaryEntry[]; restoresPlaceholders: true };

/**
 * The PII policy wants this request kept on the host (`keep_local`), or could not scan it and falls
 * back to local: the executor moves on to a local target instead of failing.
 */
export class KeepLocalError extends GatewayError {
  /**
   * @param summary the scan's `keep_local` entries (types and counts, never values): the request's
   * answer, local or this 503, reports them in `x-switchyard-pii` and usage counts them.
   */
  constructor(
    readonly types: string[],
    readonly summary: PiiSummaryEntry[] = [],
  ) {
    super(`The request contains data the PII policy keeps on this host${types.length ? ` (${types.join(", ")})` : ""}, and no local model could take it.`, {
      status: 503,
      type: "server_error",
      code: "pii_keep_local",
    });
  }
}

export interface PrepareDeps {
  providers: ProviderSet;
  sanitizer: Sanitizer;
  registry: ModelRegistry;
}

/** What the routing rule asks of this call: its max-tokens cap and PII action (for cloud egress only). */
export interface RouteTerms {
  maxTokens: number | undefined;
  pii: PiiRouteAction;
}

export function prepareCall(
  model: ModelEntry,
  conversation: Conversation,
  cloudScan: () => CloudOutcome,
  terms: RouteTerms,
  tenant: string,
  deps: PrepareDeps,
): PreparedCall {
  const routed = deps.providers.forModel(model);
  const foreign = foreignVendorFields(conversation, model, deps.registry);
  const forTarget = withoutVendorFieldsAt(conversation.request, foreign);
  const request = routed.location === "local" ? withRefusalsAsText(forTarget) : forTarget;
  const { kept, dropped, indices } = shapeFor(model, request, terms.maxTokens, deps.providers, conversation.clientIndex);
  const options = { vault: conversation.state.vault, tenant };
  const override = terms.pii === "default" ? undefined : terms.pii;

  if (routed.location === "local") {
    // The rule's `pii:` is about cloud egress (docs/POLICIES.md#actions): on the host, pii.yaml's
    // local rules apply, whatever it says (redact, block, keep_local…).
    const outcome = deps.sanitizer.sanitizeForLocal(kept, options);
    if (outcome.kind !== "local") throw blockedInConversation(outcome.error, indices);
    // The model reads the rewritten prompt, which a pseudonym longer than its value lengthens: fitted
    // again, so one past the window is refused here (passed over, when the policy chose the model), not
    // by the runtime after the decision. The walker keeps an unchanged request as it was: nothing to fit.
    const sent =
      outcome.request === kept
        ? { kept, dropped: 0 }
        : shapeFor(model, outcome.request, terms.maxTokens, deps.providers, indices.map((i) => conversation.clientIndex[i]));
    const local = withCap(sent.kept, terms.maxTokens);
    return { location: "local", model, provider: routed.provider, request: local, dropped: dropped + sent.dropped, pii: outcome.summary, restoresPlaceholders: outcome.placeholders };
  }
  const shaped = withCap(kept, terms.maxTokens);
  // The whole-conversation scan already made the cloud form; reuse it when nothing was trimmed, capped or
  // overridden. Vendor fields left out for this target are left out of it too: its messages are the
  // conversation's, one to one, and leaving fields out adds no personal data, so it needs no new scan (its
  // summary, and a keep_local or block it led to, still count what it found in them: the stricter reading).
  const outcome =
    shaped === request && override === undefined ? scannedFor(cloudScan(), foreign) : deps.sanitizer.sanitizeForCloud(shaped, override ? { ...options, override } : options);
  switch (outcome.kind) {
    case "cloud":
      return { location: "cloud", model, provider: routed.provider, request: outcome.request, dropped, pii: outcome.summary, restoresPlaceholders: true };
    case "keep_local":
      throw new KeepLocalError(outcome.types, outcome.summary.filter((entry) => entry.action === "keep_local"));
    case "blocked":
      throw blockedInConversation(outcome.error, indices);
    case "failed":
      if (outcome.fallback === "local") throw new KeepLocalError([]);
      throw outcome.error;
  }
}

/**
 * A PII block naming `messages[i]` of the shaped request, which may have dropped the oldest turns, named by
 * the message's index in the conversation: `indices[i]` (`shapeFor`'s).
 */
function blockedInConversation(error: GatewayError, indices: readonly number[]): GatewayError {
  if (!(error instanceof PiiBlockedError) || error.messageIndex === undefined) return error;
  const index = indices[error.messageIndex];
  return index === undefined ? error : error.atMessage(index);
}

/**
 * The request as `model` can take it: refuses what the model cannot do (400 naming the parameter) and
 * drops the oldest turns that do not fit its window beside the completion, which the policy's max-tokens
 * cap bounds (400 `context_length_exceeded` when even the newest does not). The cap is the caller's to
 * write into the request (`withCap`), after sizing: sizing the rewritten request again reads the client's
 * own length fields. `clientIndex` (see `Conversation`) makes a refusal name a message as the client sent it.
 */
export function shapeFor(
  model: ModelEntry,
  request: ChatCompletionRequest,
  maxTokensCap: number | undefined,
  providers: ProviderSet,
  clientIndex?: readonly (number | undefined)[],
): { kept: ChatCompletionRequest; dropped: number; indices: readonly number[] } {
  assertSupportedAsSent(request, model, clientIndex);
  const requested = requestedMaxTokens(request);
  const reserved = Math.min(requested ?? model.maxOutputTokens, maxTokensCap ?? Infinity);
  const budget = {
    // The runtime's window, not models.yaml's: trimming for a larger one would leave a prompt the model refuses.
    contextWindow: providers.contextWindow(model),
    reservedOutputTokens: reserved + PROMPT_FRAMING_TOKENS + providers.promptOverheadTokens(model),
    ...(requested === undefined
      ? {}
      : { requestedCompletion: { tokens: reserved, param: request.max_completion_tokens != null ? ("max_completion_tokens" as const) : ("max_tokens" as const) } }),
    countTokens: (message: ChatMessage) => providers.countMessageTokens(model, message),
    tokensAtMost: (message: ChatMessage) => providers.messageTokensAtMost(model, message),
  };
  const fitted = fitToBudget(request.messages, budget);
  const kept = fitted.dropped === 0 ? request : { ...request, messages: fitted.messages };
  if (fitted.fits && fitted.dropped > 0 && !fitted.messages.some((m) => !isInstruction(m))) {
    const refusal = resultsWithoutCall(request.messages);
    throw clientIndex ? asSent(refusal, clientIndex) : refusal;
  }
  if (!fitted.fits) {
    // The per-message counts hold slack for framing they do not see; before refusing a request that
    // overshoots by no more than that slack, a model whose prompt the gateway renders is asked for the
    // exact count, so a request that fits is never refused. One far over is refused without it: the
    // recount tokenizes the whole prompt again.
    const overshoot = fitted.tokens + budget.reservedOutputTokens - budget.contextWindow;
    const close = overshoot <= PROMPT_FRAMING_TOKENS + MESSAGE_FRAMING_SLACK_TOKENS * kept.messages.length;
    // A refusal that blames the client's completion states the prompt's size, which the client may
    // subtract from the window to retry: counted exactly, at the cost of a prompt within the window.
    const blamesCompletion = budget.requestedCompletion !== undefined && fitted.tokens < budget.contextWindow;
    const exact = close || blamesCompletion ? providers.exactPromptTokens(model, kept) : undefined;
    if (exact === undefined || exact + reserved > budget.contextWindow) {
      throw contextLengthExceeded(fitted, budget, exact === undefined ? undefined : { promptTokens: exact, completionTokens: reserved });
    }
  }
  return { kept, dropped: fitted.dropped, indices: fitted.indices };
}

/**
 * Nothing but instructions is left once the tool results whose call is not in the conversation are
 * left out (a provider refuses a result without its call): the model would be asked about nothing. A
 * session that lost the call (erased, expired, or kept only in a restarted gateway's memory) while its
 * client ran the tool is the usual cause, and the client can fix it by resending the call with them.
 */
function resultsWithoutCall(messages: readonly ChatMessage[]): GatewayError {
  const at = messages.findIndex((m) => m.role === "tool");
  const result = messages[at];
  const id = result?.role === "tool" ? result.tool_call_id : "";
  return invalidRequest(
    `The tool result for '${echo(id)}' answers no tool call in the conversation, and nothing else is left to answer. A result must follow the assistant message whose tool_calls it answers; with ${SESSION_ID_HEADER}, the session no longer holds that call (erased, expired, or not stored): resend the history with the call and its results.`,
    at >= 0 ? `messages[${at}]` : "messages",
    "tool_call_not_found",
  );
}

function withCap(request: ChatCompletionRequest, cap: number | undefined): ChatCompletionRequest {
  if (cap === undefined) return request;
  const { max_tokens: tokens, max_completion_tokens: completion } = request;
  if (tokens == null && completion == null) return { ...request, max_tokens: cap };
  // Every field the client sent is capped, in its spelling: a server that reads only one of the two
  // must not find the client's larger value there.
  const capped = { ...request };
  if (tokens != null && tokens > cap) capped.max_tokens = cap;
  if (completion != null && completion > cap) capped.max_completion_tokens = cap;
  return capped;
}

/**
 * Which of the conversation's messages `target` gets with their calls' vendor fields left out
 * (`withoutVendorFieldsAt`): a call the session stored keeps them only for the provider that wrote it
 * (Gemini requires its `extra_content.google.thought_signature` back; Mistral refuses a field it does
 * not know, 422 `extra_forbidden`). Each attempt of a request (fallbacks too) asks for its own target.
 * The client's own messages go as it sent them.
 *
 * @param registry reads the provider of a turn that records none (stored before turns recorded it, or
 *   sent by the client), by its model's id; a model gone from models.yaml has no provider to take them
 */
function foreignVendorFields(conversation: Conversation, target: ModelEntry, registry: ModelRegistry): readonly number[] {
  const { request, storedMeta } = conversation;
  const foreign: number[] = [];
  request.messages.forEach((message, i) => {
    const meta = storedMeta[i];
    if (!meta || message.role !== "assistant" || !message.tool_calls?.some(hasVendorFields)) return;
    const writer = meta.provider ?? (meta.model === undefined ? undefined : registry.get(meta.model)?.providerId);
    if (writer !== target.providerId) foreign.push(i);
  });
  return foreign;
}

/** The whole-conversation scan's cloud form without the vendor fields `foreignVendorFields` leaves out. */
function scannedFor(outcome: CloudOutcome, foreign: readonly number[]): CloudOutcome {
  if (outcome.kind !== "cloud") return outcome;
  return { ...outcome, request: cloudSafeWithoutVendorFields(outcome.request, foreign) };
}

/**
 * The conversation for a model on the host, whose prompt has no refusal field: a refusal the session
 * kept (`content: null, refusal`) is the assistant's text there, not an empty turn. The same request
 * when there is none.
 */
export function withRefusalsAsText(request: ChatCompletionRequest): ChatCompletionRequest {
  const refused = (m: ChatMessage) => m.role === "assistant" && typeof m.refusal === "string" && m.refusal.length > 0 && (m.content == null || m.content === "");
  if (!request.messages.some(refused)) return request;
  const messages = request.messages.map((m): ChatMessage => {
    if (!refused(m) || m.role !== "assistant") return m;
    const { refusal, ...rest } = m;
    return { ...rest, content: refusal };
  });
  return { ...request, messages };
}
