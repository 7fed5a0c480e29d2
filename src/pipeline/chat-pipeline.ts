/**
 * The walk of one chat request, in order: conversation → budget → PII scan + classify → decide →
 * shadow compare (shadow mode) → prepare + execute (with fallbacks) → answer → record + save. Each stage lives in its own module
 * under `stages/`; this file only orders them and carries what one stage hands the next.
 */
import type { IntentClassifier, IntentPrediction } from "../../classifiers/index.js";
import type { ClassifierTextOptions } from "../../classifiers/index.js";
import type { ChatCompletionRequest, ChatMessage } from "../api/chat-request.js";
import { CONTEXT_DROPPED_HEADER, CONTEXT_STATUS_HEADER } from "../context/headers.js";
import type { ContextStore } from "../context/store.js";
import { abortReason, asGatewayError, CLIENT_CLOSED_STATUS, GatewayError, providerNotConfigured, SHUTTING_DOWN_CODE, withHeaders } from "../errors.js";
import type { ModelEntry, ModelRegistry } from "../models/registry.js";
import { formatPiiSummary, type PiiSummaryEntry, type Sanitizer } from "../pii/index.js";
import { PiiBlockedError } from "../pii/sanitize.js";
import { PseudonymVault } from "../pii/vault.js";
import type { Decision, DenyDecision, RouteDecision } from "../policy/decide.js";
import type { ExplainFn, ExplainResult } from "../policy/explain.js";
import { FALLBACK_HEADER, fallbackHeaderValue, keptOnHost, largestTooSmall, nextTarget, pastTooSmall, POLICY_HEADER, preparationFailureKind, type Failure, type TooSmallTarget } from "../policy/fallback.js";
import type { PolicySnapshot, PolicyStore } from "../policy/store.js";
import { decisionNeedsClassification } from "../policy/classification-need.js";
import { decisionNeedsPiiTypes } from "../policy/pii-need.js";
import type { ProviderSet } from "../providers/provider-set.js";
import type { ChatCompletion, ChunkStream } from "../providers/types.js";
import { budgetExceeded } from "../usage/budgets/guard.js";
import type { Metrics } from "../usage/metrics.js";
import type { Usage } from "../usage/create-usage.js";
import type { ChatRequestContext } from "./chat-request-context.js";
import { asSent } from "./capabilities.js";
import { denialFor } from "./deny.js";
import { analyze, withClassification, withPiiTypes, type Analysis } from "./stages/analyze.js";
import { answersInJson, presentCompletion, presentStream, withTokens, type AnswerSummary, type SentPrompt } from "./stages/answer.js";
import { loadConversation, type Conversation } from "./stages/conversation.js";
import { execute, ExecutionFailedError, failedAttemptsOf, type Execution } from "./stages/execute.js";
import { KeepLocalError, prepareCall, shapeFor, type PreparedCall } from "./stages/prepare.js";
import { saveTurn } from "./stages/save.js";
import { compareWithShadow } from "./stages/shadow.js";

export const ROUTE_HEADER = "x-switchyard-route";
export const MODEL_HEADER = "x-switchyard-model";
export const PII_HEADER = "x-switchyard-pii";

/** A summary of no answer: counting it gives the prompt's tokens alone. */
const NOTHING_ANSWERED: AnswerSummary = { message: undefined, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, usageReported: false, ttftMs: undefined };

export type ChatOutcome =
  | { kind: "completion"; completion: ChatCompletion; headers: Record<string, string> }
  | { kind: "stream"; chunks: ChunkStream; headers: Record<string, string> };

export interface ChatPipelineDeps {
  registry: ModelRegistry;
  providers: ProviderSet;
  policies: PolicyStore;
  sanitizer: Sanitizer;
  classifier: IntentClassifier | undefined;
  classifierText: ClassifierTextOptions;
  context: ContextStore;
  usage: Usage;
  metrics: Metrics;
}

export interface ChatPipeline {
  run(ctx: ChatRequestContext): Promise<ChatOutcome>;
  /**
   * Resolves when every answered request — streams still running included — has saved its turn and
   * recorded its usage, or after `timeoutMs` (shutdown); says how many were still pending.
   */
  drain(timeoutMs?: number): Promise<{ pending: number }>;
  /**
   * How many answered requests have a save or usage record under way (part of what `drain` waits for).
   * A stream still being written is not among them: the routes count it as running, and counting it
   * here too would say one request twice.
   */
  pending(): number;
  /** The stages up to the decision, without calling a model or saving anything (`POST /v1/route`). */
  explain: ExplainFn;
}

interface Decided {
  conversation: Conversation;
  analysis: Analysis;
  /**
   * Undefined when the decision did not depend on the intent (or there is no classifier). What the
   * request is recorded as (intent, confidence) is read from `analysis.features`, which leave out the
   * intent of a prediction without evidence.
   */
  classification: IntentPrediction | undefined;
  decision: Decision;
  /** The one policy version this request uses from analysis to fallbacks. */
  snapshot: PolicySnapshot;
}

export function createChatPipeline(deps: ChatPipelineDeps): ChatPipeline {
  /**
   * Streams still being written (`writing`) and the saves of answers already on their way to the client,
   * each with its request: a request can have several at once (its stream, then its save and record).
   * Kept by context, not `requestId`: a client's `x-request-id` may repeat across its requests.
   */
  const finishing = new Map<Promise<void>, { request: ChatRequestContext; writing: boolean }>();
  function inBackground(ctx: ChatRequestContext, work: Promise<void>, writing = false): void {
    const tracked: Promise<void> = work
      // The response is already on its way: a failure here can only be logged.
      .catch((error: unknown) => ctx.log.error({ err: error }, "could not finish a request"))
      .finally(() => finishing.delete(tracked));
    finishing.set(tracked, { request: ctx, writing });
  }
  /**
   * Requests, not tasks, among those `finishing` holds. With `recording`, only those whose response has
   * ended: a stream still being written is running, not unrecorded, even while its turn is saved (the
   * save starts at its finish_reason, before the usage chunk and `[DONE]` are out).
   */
  function requestsFinishing(recording: boolean): number {
    const tasks = [...finishing.values()];
    const writing = recording ? new Set(tasks.filter((task) => task.writing).map((task) => task.request)) : new Set();
    return new Set(tasks.filter((task) => !writing.has(task.request)).map((task) => task.request)).size;
  }

  /**
   * `dryRun` for `POST /v1/route`: the scan is reported whatever the decision needed, and nothing is
   * counted as enforced, since no request is served.
   */
  async function decideFor(ctx: ChatRequestContext, conversation: Conversation, options: { dryRun?: boolean } = {}): Promise<Decided> {
    const snapshot = deps.policies.snapshot;
    const budget = await deps.usage.accounting.budgetStatus(ctx.tenant.id);
    if (budget.exceeded && budget.action === "deny") {
      if (!options.dryRun) deps.metrics.budgetEnforced("deny");
      throw withHeaders(budgetExceeded(budget), { [POLICY_HEADER]: snapshot.version });
    }
    const analysis = analyze(ctx, conversation, snapshot.policy, { exceeded: budget.exceeded }, deps);
    // A shadow candidate is compared on the same features, so it gets the scan whatever the active policy needs.
    let scanned = options.dryRun === true || deps.policies.shadow !== undefined;
    if (scanned) analysis.features = withPiiTypes(analysis.features, analysis);
    let { decision } = deps.policies.decide(analysis.features, snapshot);
    const scanIfNeeded = () => {
      if (scanned || !decisionNeedsPiiTypes(snapshot.policy, decision)) return;
      scanned = true;
      analysis.features = withPiiTypes(analysis.features, analysis);
      ({ decision } = deps.policies.decide(analysis.features, snapshot));
    };
    scanIfNeeded();
    let classification: IntentPrediction | undefined;
    if (decisionNeedsClassification(snapshot.policy, decision, { session: conversation.scope !== undefined })) {
      const classified = await withClassification(analysis.features, conversation, deps);
      classification = classified.classification;
      analysis.features = classified.features;
      ({ decision } = deps.policies.decide(analysis.features, snapshot));
      // With an intent, a rule that reads the scan can now be the one that fires.
      scanIfNeeded();
    }
    if (budget.exceeded && !options.dryRun) deps.metrics.budgetEnforced("force_local");
    return { conversation, analysis, classification, decision, snapshot };
  }

  async function run(ctx: ChatRequestContext): Promise<ChatOutcome> {
    const startedAt = performance.now();
    const headers: Record<string, string> = {};
    let decided: Decided | undefined;
    let execution: Execution | undefined;
    try {
      const conversation = await loadConversation(ctx, deps.context, deps.sanitizer.contextStorage);
      if (conversation.loaded?.status === "degraded") headers[CONTEXT_STATUS_HEADER] = "degraded";
      decided = await decideFor(ctx, conversation);
      // Here, not in decideFor: once per served request on its final features, never for a dry run.
      if (deps.policies.shadow) {
        const { decision, analysis, classification } = decided;
        await compareWithShadow(deps.policies.shadow, ctx, { decision, features: analysis.features, classified: classification !== undefined, conversation }, deps);
      }
      headers[POLICY_HEADER] = decided.snapshot.version;
      const decision = decided.decision;
      if (decision.kind === "deny") throw denialOf(decision, conversation);
      const { analysis } = decided;
      execution = await execute(ctx, decision, {
        registry: deps.registry,
        catalog: decided.snapshot.policy.catalog,
        contextWindow: (model) => deps.providers.contextWindow(model),
        prepare: (model) => prepareCall(model, conversation, analysis.cloudScan, decision, ctx.tenant.id, deps),
        notConfigured,
        keepOnHost: (types) => keptOnHost(decision, analysis.features, decided!.snapshot.policy, types),
      });
      const { call, answer, path } = execution;
      headers[ROUTE_HEADER] = call.location;
      headers[MODEL_HEADER] = call.model.id;
      if (path.length > 1) headers[FALLBACK_HEADER] = fallbackHeaderValue(path);
      if (execution.pii.length > 0) headers[PII_HEADER] = formatPiiSummary(execution.pii);
      if (call.dropped > 0) headers[CONTEXT_DROPPED_HEADER] = String(call.dropped);

      const finish = (summary: AnswerSummary, status: number, error?: unknown, saved = false) =>
        finishRequest(ctx, { decided: decided!, execution: execution!, summary, status, error, startedAt, saved });

      // An empty vault restores nothing: the request carried none of the gateway's placeholders.
      const restoring = call.restoresPlaceholders ? conversation.state.vault : new PseudonymVault();
      if (answer.kind === "completion") {
        const summary = presentCompletion(answer.completion, restoring, { json: answersInJson(call.request) });
        // Usage is recorded now, and the save's command sent before the answer leaves, so the session's
        // next turn (on this replica or another) loads after it; the answer does not wait for its reply.
        inBackground(ctx, finish(summary, 200));
        return { kind: "completion", completion: answer.completion, headers };
      }
      // Counted from now, so a shutdown waits for streams still being written, not only their saves.
      let streamEnded!: () => void;
      inBackground(ctx, new Promise<void>((resolve) => (streamEnded = resolve)), true);
      let saved = false;
      const chunks = presentStream(answer.chunks, {
        vault: restoring,
        json: answersInJson(call.request),
        startedAt,
        countTokens: (summary) => counted(call.model, call.request, summary),
        // The answer is whole at its finish_reason: its save's command is sent before the client can
        // see it end, so the next turn — which a client may send as soon as it reads the finish_reason,
        // before the usage chunk or [DONE] — loads after it, as after a completion.
        onAnswered: (summary) => {
          if (!summary.message) return;
          saved = true;
          inBackground(ctx, saveAnswer(ctx, decided!, execution!, summary.message));
        },
        onEnd: (end) => {
          // A stream stopped by its consumer ends for the reason its request's signal gives: the client
          // left (499), or the shutdown's deadline came while the client was slow to read (503). Not
          // once the answer's finish_reason had gone out: the client has the whole answer (one that
          // stops reading there), kept in its session and recorded as answered.
          const stopped = end.aborted || ctx.signal.aborted;
          const error = stopped && end.finishSent ? undefined : end.aborted ? abortReason(ctx.signal) : end.error;
          const status = error !== undefined ? asGatewayError(error).status : 200;
          // A failure before the first chunk is the response's: the route answers it as the request's
          // error (no 200 went out), and its error handler logs it.
          if (error !== undefined && (end.aborted || end.firstChunkSent)) logStreamFailure(ctx, error);
          inBackground(ctx, finish(end.summary, status, error, saved));
          streamEnded();
        },
      });
      return { kind: "stream", chunks, headers };
    } catch (thrown) {
      const failed = thrown instanceof ExecutionFailedError ? thrown : undefined;
      const error = failed ? failed.cause : thrown;
      // A refusal reports the PII actions taken on what the request carried, though nothing was sent:
      // a block, or the keep_local that moved it to the host (the executor's `withheld` holds both).
      const pii = failed ? failed.withheld : error instanceof PiiBlockedError ? error.summary : [];
      const refusal = decided ? blockedAsSent(error, decided.conversation.clientIndex) : error;
      recordFailure(ctx, { decided, execution, failed, error: refusal, startedAt, pii });
      // A refusal names what a completion would: the deciding policy's version (ops tracing a 403
      // after a hot reload), the models tried, the PII actions taken.
      const failureHeaders = { ...headers };
      if (failed && failed.path.length > 1) failureHeaders[FALLBACK_HEADER] = fallbackHeaderValue(failed.path);
      if (pii.length > 0) failureHeaders[PII_HEADER] = formatPiiSummary(pii);
      throw withHeaders(refusal, failureHeaders);
    }
  }

  /** The summary with the tokens counted as the model's provider counts them (it reported none). */
  function counted(model: ModelEntry, request: ChatCompletionRequest, summary: AnswerSummary): AnswerSummary {
    return withTokens(summary, promptSent(model, request), {
      message: (message) => deps.providers.countMessageTokens(model, message),
      text: (text) => deps.providers.countTokens(model, text),
    });
  }

  /**
   * Records usage, then saves the turn (when the answer is complete); storage trouble never fails the
   * answer. The record is made before the save, and never waits on it: a slow or frozen context store,
   * or a save redone after conflicts, must not keep an answered request out of /v1/usage, /metrics
   * and the tenant's budget, nor move its time to a later bucket, nor lose it when the save throws or
   * a shutdown stops waiting. Nothing in the record depends on how the save went. A stream's save is
   * sent earlier, at its finish_reason (`saved`), before the client can see the answer end.
   */
  async function finishRequest(
    ctx: ChatRequestContext,
    f: { decided: Decided; execution: Execution; summary: AnswerSummary; status: number; error?: unknown; startedAt: number; saved?: boolean },
  ): Promise<void> {
    const { decided, execution } = f;
    const model = execution.call.model;
    // Usage not reported (the client left mid-stream): the prompt as the model evaluated it when its
    // provider said so at the start, else estimated; the answer so far is estimated.
    const estimated = f.summary.usageReported ? f.summary : counted(model, execution.call.request, f.summary);
    const summary = f.summary.usageReported || execution.promptTokens === undefined ? estimated : { ...estimated, promptTokens: execution.promptTokens };
    // The answer is complete now: recorded at once, so the record's time is when the request ended.
    const endedAt = performance.now();
    deps.usage.accounting.record({
      requestId: ctx.requestId,
      tenant: ctx.tenant.id,
      session: decided.conversation.scope?.sessionId ?? null,
      route: execution.call.location,
      model: execution.call.model.id,
      intent: decided.analysis.features.intent ?? null,
      confidence: decided.analysis.features.confidence ?? null,
      fallback: execution.path.length > 1,
      status: f.status,
      error: f.error !== undefined ? (asGatewayError(f.error).code ?? "error") : null,
      promptTokens: summary.promptTokens,
      cachedPromptTokens: summary.cachedPromptTokens,
      completionTokens: summary.completionTokens,
      ttftMs: summary.ttftMs ?? null,
      totalMs: endedAt - f.startedAt,
      generationMs: endedAt - (execution.generationStartedAt ?? f.startedAt),
      failedAttempts: execution.failedAttempts,
      pii: piiCounts(execution.pii),
    });
    if (f.status === 200 && summary.message && !f.saved) await saveAnswer(ctx, decided, execution, summary.message);
  }

  /** Saves the request's new turns and its answer to its session (nothing without one). */
  function saveAnswer(ctx: ChatRequestContext, decided: Decided, execution: Execution, answer: ChatMessage): Promise<void> {
    const decision = decided.decision as RouteDecision;
    return saveTurn(ctx, { store: deps.context, sanitizer: deps.sanitizer }, decided.conversation, answer, {
      route: execution.call.location,
      model: execution.call.model.id,
      provider: execution.call.model.providerId,
      intent: decided.analysis.features.intent,
      sticky: decision.sticky.remember,
    });
  }

  /**
   * `failed` is set when the executor gave up: it describes the attempt whose error the client gets.
   * A request no model started on (refused, queued until it timed out or its client left) held no
   * slot, so it is charged no slot time; every model that did start is charged the slot time it held
   * (per-hour prices), as when a fallback answers. A request without an answer claims no savings.
   */
  function recordFailure(
    ctx: ChatRequestContext,
    f: {
      decided: Decided | undefined;
      execution: Execution | undefined;
      failed: ExecutionFailedError | undefined;
      error: unknown;
      startedAt: number;
      pii: readonly PiiSummaryEntry[];
    },
  ): void {
    const { decided, execution, error } = f;
    const failure = asGatewayError(error);
    const route = decided?.decision.kind === "route" ? decided.decision : undefined;
    const endedAt = performance.now();
    const attempt = f.failed?.attempt;
    const generationStartedAt = execution ? execution.generationStartedAt : attempt?.heldSlot === false ? undefined : attempt?.generationStartedAt;
    // A model the client walked away from (or the shutdown stopped) had started on the prompt: its time
    // is charged, so its prompt is counted too, or the baseline (priced on tokens) reads $0 and savings go negative.
    const call = execution?.call ?? attempt?.call;
    const stopped = failure.status === CLIENT_CLOSED_STATUS || failure.code === SHUTTING_DOWN_CODE;
    const left = stopped && generationStartedAt !== undefined && call !== undefined;
    const promptTokens = !left ? 0 : (attempt?.promptTokens ?? execution?.promptTokens ?? counted(call.model, call.request, NOTHING_ANSWERED).promptTokens);
    deps.usage.accounting.record({
      requestId: ctx.requestId,
      tenant: ctx.tenant.id,
      session: decided?.conversation.scope?.sessionId ?? null,
      route: execution?.call.location ?? attempt?.route ?? route?.route ?? null,
      model: execution?.call.model.id ?? attempt?.model ?? route?.model ?? null,
      intent: decided?.analysis.features.intent ?? null,
      confidence: decided?.analysis.features.confidence ?? null,
      fallback: (execution?.path.length ?? f.failed?.path.length ?? 0) > 1,
      status: failure.status,
      error: failure.code ?? "error",
      promptTokens,
      completionTokens: 0,
      totalMs: endedAt - f.startedAt,
      generationMs: generationStartedAt === undefined ? 0 : endedAt - generationStartedAt,
      failedAttempts: execution?.failedAttempts ?? (f.failed ? failedAttemptsOf(f.failed.started, f.failed.attempt) : []),
      // Without an answer, what the baseline would have charged is unknown (a client that left had
      // its prompt evaluated, which both sides are priced on).
      ...(left ? {} : { claimSavings: false }),
      pii: piiCounts(f.pii),
    });
  }

  /** The 503 a call to `model` answers: its provider has no API key (`RouteDecision.fallbackFrom`). */
  function notConfigured(model: ModelEntry): GatewayError {
    return providerNotConfigured(model.providerId, deps.providers.unconfigured?.[model.providerId] ?? "its API key is not set");
  }

  /** A deny as the client gets it: the requested model's own refusal when it has one, else the policy's. */
  function denialOf(decision: DenyDecision, conversation: Conversation): GatewayError {
    const { request, clientIndex } = conversation;
    // The requested model's refusal (denyError) checks the merged conversation: named as the client sent it.
    return asSent(denialFor(decision, request, deps.registry, (model) => shapeFor(model, request, undefined, deps.providers, clientIndex)), clientIndex);
  }

  /**
   * What a real request meets when the executor prepares the decided model, before calling it: the
   * same `prepareCall`, so the same refusals (`n > 1`, a parameter the model cannot handle, a
   * conversation too long for it, PII the policy blocks for it). When the PII policy keeps the request
   * on the host, the executor steps down to an on-host target (`keptOnHost`) — so does this, and the
   * dry run names that target, or answers the executor's 503 `pii_keep_local` when there is none. A
   * target the policy chose whose window the prompt overflows (as its tokenizer counts it) is passed
   * over as the executor passes it: the dry run names the next target, or when every one is too small
   * answers the executor's refusal: the 503 of the model the client named whose provider has no key
   * (`fallbackFrom`, a target not called), else the largest one's 400. A failure the executor falls back from at call time (a model not
   * ready) is no refusal: the next target may serve.
   */
  function atFirstTarget(
    ctx: ChatRequestContext,
    decided: Decided,
    decision: RouteDecision,
  ): { decision: RouteDecision; refusal?: GatewayError; call?: PreparedCall; keptLocal: PiiSummaryEntry[] } {
    let current = decision;
    let keptLocal: PiiSummaryEntry[] | undefined;
    const tooSmall: Failure[] = [];
    const refusals: TooSmallTarget<GatewayError>[] = [];
    for (;;) {
      const model = deps.registry.get(current.model);
      const kept = keptLocal ?? [];
      if (!model) return { decision: current, keptLocal: kept };
      try {
        const call = prepareCall(model, decided.conversation, decided.analysis.cloudScan, current, ctx.tenant.id, deps);
        return { decision: current, call, keptLocal: kept };
      } catch (error) {
        if (error instanceof KeepLocalError && !keptLocal) {
          keptLocal = error.summary;
          const onHost = keptOnHost(current, decided.analysis.features, decided.snapshot.policy, error.types);
          if (!onHost) return { decision: current, refusal: error, keptLocal };
          current = onHost;
          continue;
        }
        const catalog = decided.snapshot.policy.catalog;
        const kind = preparationFailureKind(error, model.id, ctx.body.model, catalog);
        if (kind === "context_window") {
          // The window the executor compares too (`largestTooSmall`): the runtime's, as the 400 states it.
          const window = deps.providers.contextWindow(model);
          refusals.push({ window, refusal: asGatewayError(error) });
          tooSmall.push({ model: model.id, kind });
          const next = nextTarget(current, tooSmall, catalog);
          if (!next) {
            const named = decision.fallbackFrom === undefined ? undefined : deps.registry.get(decision.fallbackFrom);
            // `refusals` holds this target's at least.
            return { decision: current, refusal: named ? notConfigured(named) : largestTooSmall(refusals)!.refusal, keptLocal: kept };
          }
          const skip = { model: model.id, reason: `prompt does not fit context window ${window} as its tokenizer counts it`, kind: "context_window" as const };
          current = pastTooSmall(current, skip, next);
          continue;
        }
        if (kind !== undefined) return { decision: current, keptLocal: kept };
        return { decision: current, refusal: asGatewayError(error), keptLocal: kept };
      }
    }
  }

  const explain: ExplainFn = async (body, ctx) => {
    const requestCtx = { ...ctx, body, receivedAt: Date.now() };
    // No side effects: the session is read as it is, its expiry left alone.
    const conversation = await loadConversation(requestCtx, deps.context, deps.sanitizer.contextStorage, { readOnly: true });
    const decided = await decideFor(requestCtx, conversation, { dryRun: true });
    const { decision } = decided;
    if (decision.kind === "deny") {
      const denial = denialOf(decision, conversation);
      return { ...explainResult(decided), denial: { status: denial.status, code: denial.code ?? decision.code, message: denial.message } };
    }
    // A dry run predicts the real answer: a request refused before any model is called gets that
    // refusal; one the PII policy keeps on the host names the on-host target that answers it.
    const first = atFirstTarget(requestCtx, decided, decision);
    if (first.refusal) {
      // As the real request reports it: the keep_local that moved it to the host, then the refusal's own.
      const pii =
        first.refusal instanceof KeepLocalError ? first.refusal.summary : [...first.keptLocal, ...(first.refusal instanceof PiiBlockedError ? first.refusal.summary : [])];
      const refusal = blockedAsSent(first.refusal, conversation.clientIndex);
      throw withHeaders(refusal, { [POLICY_HEADER]: decided.snapshot.version, ...(pii.length > 0 ? { [PII_HEADER]: formatPiiSummary(pii) } : {}) });
    }
    return explainResult({ ...decided, decision: first.decision }, first.call, first.keptLocal);
  };

  async function drain(timeoutMs = 5_000): Promise<{ pending: number }> {
    const deadline = performance.now() + timeoutMs;
    while (finishing.size > 0) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...finishing.keys()]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    return { pending: requestsFinishing(false) };
  }

  return { run, drain, pending: () => requestsFinishing(true), explain };
}

/** The dry run decides with the scan always done (`dryRun`), so the features carry its types. */
/**
 * `pii.counts` is what the scan found; `pii.actions` what is done with it for the target the real
 * request is prepared for (`call`: a rule's `pii:` override, or pii.yaml's local rules on the host),
 * and `keep_local` for the types that moved it to the host, as the real answer's x-switchyard-pii
 * says. Without a prepared call (a deny, a target not ready) the actions are pii.yaml's own for the
 * cloud.
 */
function explainResult(decided: Decided, call?: PreparedCall, keptLocal: readonly PiiSummaryEntry[] = []): ExplainResult {
  const scan = decided.analysis.cloudScan();
  const summary: PiiSummaryEntry[] = scan.kind === "failed" ? [] : scan.summary;
  const counts: Record<string, number> = {};
  for (const entry of summary) counts[entry.type] = (counts[entry.type] ?? 0) + entry.count;
  const actions: Record<string, string> = {};
  for (const entry of call ? call.pii : summary) actions[entry.type] = entry.action;
  for (const entry of keptLocal) actions[entry.type] = entry.action;
  return { features: decided.analysis.features, decision: decided.decision, pii: { types: decided.analysis.features.piiTypes, counts, actions } };
}

/**
 * A stream that failed after its 200 went out: the client gets the error as its last event, but no
 * error handler sees it, so it is logged here, at the level the error handler would use (a client
 * that left is no failure of ours; a stream the shutdown stopped is expected, a warning).
 */
function logStreamFailure(ctx: ChatRequestContext, error: unknown): void {
  const failure = asGatewayError(error);
  if (failure.status === CLIENT_CLOSED_STATUS) return;
  const fields = { err: failure.cause ?? failure, status: failure.status, code: failure.code };
  if (failure.status >= 500 && failure.code !== SHUTTING_DOWN_CODE) ctx.log.error(fields, `stream failed after the answer started: ${failure.message}`);
  else ctx.log.warn(fields, `stream failed after the answer started: ${failure.message}`);
}

function piiCounts(summary: readonly PiiSummaryEntry[]) {
  return summary.filter((e) => e.count > 0).map((e) => ({ type: e.type, action: e.action, count: e.count }));
}

/**
 * What of the request reached the model's prompt. The in-process model answers in text: its prompt
 * holds no tool definitions (a request offering tools reaches it only with `tool_choice: "none"`),
 * so none are billed. Servers (cloud or a llama.cpp pool) receive them as sent.
 */
function promptSent(model: ModelEntry, request: ChatCompletionRequest): SentPrompt {
  return model.path === undefined ? request : { messages: request.messages };
}

/**
 * A PII block naming `messages[i]` of a session's conversation, named as the client sent it: its own
 * index, or the session when the blocked value is in the stored history, which no change to the request
 * can fix (a secret sent in an earlier turn to the local model blocks every later cloud turn).
 */
function blockedAsSent(error: unknown, clientIndex: readonly (number | undefined)[]): unknown {
  if (!(error instanceof PiiBlockedError) || error.messageIndex === undefined) return error;
  return error.atMessage(clientIndex[error.messageIndex]);
}
