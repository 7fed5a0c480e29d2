/**
 * Stage 5: call the decided model, falling back along the policy's chain when a target fails before
 * answering (429, 5xx, timeout, refused connection, local overload, not ready). A stream counts as
 * answered once the provider accepted it (a server: once its first event arrived, so a 200 that fails
 * before any chunk still falls back); later failures end the stream instead of switching models.
 * A target the policy chose whose window is too small for the prompt, as the model's tokenizer counts
 * it, is passed over for the next one too (a model the client named gets the 400).
 * When none answers, the client gets the last failure of a target that was actually called; failing
 * that, why one could not be called (the model the client named has no API key: its 503).
 */
import { GatewayError } from "../../errors.js";
import type { Location, ModelEntry, ModelRegistry } from "../../models/registry.js";
import type { RouteDecision } from "../../policy/decide.js";
import { failureKindOf, largestTooSmall, nextTarget, preparationFailureKind, type Failure, type FailureKind, type FallbackStep, type TooSmallTarget } from "../../policy/fallback.js";
import type { PolicyCatalog } from "../../policy/catalog.js";
import type { PiiSummaryEntry } from "../../pii/index.js";
import { PiiBlockedError } from "../../pii/sanitize.js";
import { PiiNameCollisionError } from "../../pii/walker.js";
import type { ChatCompletion, ChunkStream } from "../../providers/types.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { KeepLocalError, type PreparedCall } from "./prepare.js";
import type { FailedAttempt } from "../../usage/record.js";

export type Answer = { kind: "completion"; completion: ChatCompletion } | { kind: "stream"; chunks: ChunkStream };

export interface Execution {
  call: PreparedCall;
  answer: Answer;
  /**
   * Model ids tried, in order; more than one means a fallback happened. The first is the model the
   * client named when the decision answers in its place because its provider has no key
   * (`RouteDecision.fallbackFrom`): not called, but the model the request fell back from.
   */
  path: string[];
  /** When the answering model started on the request (`performance.now()`), queue wait excluded. */
  generationStartedAt: number | undefined;
  /** The prompt's tokens as the answering model evaluated it, when its provider said so at the start. */
  promptTokens: number | undefined;
  /** Models tried before that started on the request and failed: the slot time each held. */
  failedAttempts: FailedAttempt[];
  /**
   * What the PII stage did on the way to the answering model: the `keep_local` that moved the request
   * to the host, if one did, then the answering call's own actions (`call.pii`).
   */
  pii: PiiSummaryEntry[];
}

/** One target the executor tried, as usage records it when the request fails there. */
export interface Attempt {
  model: string;
  route: Location;
  /** When the model started on the request (`performance.now()`); undefined when it never did (no slot, nothing sent). */
  generationStartedAt: number | undefined;
  /** The call as prepared for the model, once it was: what a usage record counts the prompt of. */
  call?: PreparedCall;
  /** The prompt's tokens as the model evaluated it, when its provider says so at the start. */
  promptTokens?: number;
  /** When the model failed (`performance.now()`), for one that had started. */
  endedAt?: number;
  /**
   * False when the model failed without working on the request (connection refused, rate limited,
   * not ready): a per-hour server is then charged no slot time, though the call had started.
   */
  heldSlot?: boolean;
}

/** The slot time of each attempt in `attempts` that started, except `except`. */
export function failedAttemptsOf(attempts: readonly Attempt[], except?: Attempt): FailedAttempt[] {
  const held: FailedAttempt[] = [];
  for (const a of attempts) {
    if (a === except || a.generationStartedAt === undefined || a.endedAt === undefined || a.heldSlot === false) continue;
    held.push({ model: a.model, generationMs: a.endedAt - a.generationStartedAt });
  }
  return held;
}

/**
 * Every target failed (or one failed in a way no fallback fixes): `cause` is the error the client
 * gets, `attempt` the target that failed with it, `path` every model id tried, in order, and `withheld`
 * the PII policy's entries for targets it kept the request from: the `keep_local` that moved it to the
 * host on the way, and each `block` (the cause's too, when it is one).
 */
export class ExecutionFailedError extends Error {
  declare readonly cause: unknown;

  constructor(
    cause: unknown,
    readonly attempt: Attempt,
    readonly path: readonly string[],
    readonly withheld: readonly PiiSummaryEntry[] = [],
    /** Every attempt of the request that started and failed (this one's included once it had started). */
    readonly started: readonly Attempt[] = [],
  ) {
    super("the request failed at its model", { cause });
    this.name = "ExecutionFailedError";
  }
}

export interface ExecuteDeps {
  registry: ModelRegistry;
  catalog: PolicyCatalog;
  /** The window `model` runs with (`ProviderSet.contextWindow`), as the dry run reads it. */
  contextWindow(model: ModelEntry): number;
  prepare(model: ModelEntry): PreparedCall;
  /** What a call to `model` answers when its provider cannot be called (`RouteDecision.fallbackFrom`). */
  notConfigured(model: ModelEntry): GatewayError;
  /**
   * The decision restricted to on-host targets once the PII policy keeps the request on the host
   * (`keptOnHost`), given the entity types that keep it; undefined when no local model can serve it.
   */
  keepOnHost(types: readonly string[]): RouteDecision | undefined;
}

const isBlock = (entry: PiiSummaryEntry) => entry.action === "block";

/**
 * `entries` added to `withheld`, each block type once however many targets refused it, with the largest
 * count any of them found (a smaller window's trimmed prompt may hold fewer of the values).
 */
function addBlocked(withheld: PiiSummaryEntry[], entries: readonly PiiSummaryEntry[]): void {
  for (const entry of entries) {
    const at = isBlock(entry) ? withheld.findIndex((w) => isBlock(w) && w.type === entry.type) : -1;
    if (at === -1) withheld.push(entry);
    else if (entry.count > withheld[at]!.count) withheld[at] = entry;
  }
}

/**
 * The PII policy refused the request for this target (nothing sent): a value it blocks, keys its rewrite
 * would merge, or a scan that failed closed (`pii_scan_failed`).
 */
function refusedByPiiPolicy(error: unknown): boolean {
  return error instanceof PiiBlockedError || error instanceof PiiNameCollisionError || (error instanceof GatewayError && error.code === "pii_scan_failed");
}

/**
 * Failures that wait for an operator however often the client retries: credentials the upstream refuses,
 * an account out of quota (a 429 by status, billing by code).
 */
const NEEDS_OPERATOR: ReadonlySet<string | null> = new Set(["upstream_auth_failed", "insufficient_quota"]);

/**
 * Whether the client's retry may cure `error`: a target busy, still loading, rate limited, failing,
 * slow or unreachable. Not a provider without its key nor a local model that failed to load (the dry
 * run skips such targets and names what follows them), nor a `NEEDS_OPERATOR` failure, nor one the
 * client is told not to retry (`x-should-retry: false`: the upstream's own verdict, or the gateway's).
 */
function retryMayCure(error: unknown): boolean {
  const kind = failureKindOf(error);
  if (kind === undefined) return false;
  if (error instanceof GatewayError && (NEEDS_OPERATOR.has(error.code) || error.headers["x-should-retry"] === "false")) return false;
  return kind !== "unavailable" || (error instanceof GatewayError && error.code === "model_loading");
}

/** Failures of a target that was never called: nothing was sent to it. */
const NOT_CALLED: ReadonlySet<FailureKind | undefined> = new Set(["unavailable", "context_window", "pii_refused"]);

/** Failures after which the model had done no work on the request: the call started, no slot was held. */
const NO_WORK_DONE: ReadonlySet<FailureKind | undefined> = new Set(["connection_refused", "rate_limited", "unavailable", "local_overload"]);

export async function execute(ctx: ChatRequestContext, decided: RouteDecision, deps: ExecuteDeps): Promise<Execution> {
  const failures: Failure[] = [];
  const path: string[] = [];
  /** The model the client named whose provider has no key: the first target, not called. */
  const unconfigured = decided.fallbackFrom === undefined ? undefined : deps.registry.get(decided.fallbackFrom);
  if (unconfigured) {
    // The call the decision spared would have failed at once: reported as the fallback it stands for.
    path.push(unconfigured.id);
    ctx.log.warn({ model: unconfigured.id, code: "provider_not_configured", next: decided.model }, "target not configured; falling back");
  }
  /** The decided chain; once the PII policy keeps the request on the host, its on-host part only. */
  let decision = decided;
  let step: FallbackStep | undefined = { model: decision.model, route: decision.route, via: "chain" };
  let keptLocal = false;
  /**
   * The PII policy's entries for targets it kept the request from: the `keep_local` that moved it to the
   * host (filled once, when it does), and each `block` of a target's call. Reported and counted with the
   * answer or the failure, as the actions taken on what the request carried.
   */
  const withheldPii: PiiSummaryEntry[] = [];
  /** The failure the client gets when no target answers, and whether its target was called at all. */
  let reported: ExecutionFailedError | undefined;
  let reportedCalled = false;
  /** Targets too small for the prompt: one of their 400s is reported only when no other failure is. */
  const tooSmall: TooSmallTarget<ExecutionFailedError>[] = [];
  /** Attempts that started on the request and failed: per-hour models charge the slot time they held. */
  const startedAndFailed: Attempt[] = [];
  while (step) {
    const model = deps.registry.get(step.model);
    if (!model) throw new Error(`policy target '${step.model}' is not a configured model`);
    path.push(model.id);
    const attempt: Attempt = { model: model.id, route: model.location, generationStartedAt: undefined };
    try {
      const call = deps.prepare(model);
      attempt.call = call;
      const answer = await run(call, ctx, (promptTokens) => {
        attempt.generationStartedAt = performance.now();
        if (promptTokens !== undefined) attempt.promptTokens = promptTokens;
      });
      return {
        call,
        answer,
        path,
        generationStartedAt: attempt.generationStartedAt,
        promptTokens: attempt.promptTokens,
        failedAttempts: failedAttemptsOf(startedAndFailed),
        pii: [...withheldPii, ...call.pii],
      };
    } catch (error) {
      // A fallback or last resort the PII policy refuses the request for, reached after a failure a retry
      // may cure, was never an answer for it: not called, and the chain goes on; that failure stays the
      // one the client gets (an overloaded local model's 503 and Retry-After, not a 400 an SDK never
      // retries). Otherwise (the first target, after a keep_local redirect or a window too small, which
      // are no failures, or after one no retry cures, such as a provider without its key) the refusal is
      // the answer at once, as the dry run says.
      const passedOver = refusedByPiiPolicy(error) && reported !== undefined && retryMayCure(reported.cause);
      const kind = passedOver
        ? "pii_refused"
        : error instanceof KeepLocalError
          ? "unavailable"
          : attempt.call
            ? failureKindOf(error)
            : preparationFailureKind(error, model.id, ctx.body.model, deps.catalog);
      if (attempt.generationStartedAt !== undefined) {
        attempt.endedAt = performance.now();
        attempt.heldSlot = ctx.signal.aborted || !NO_WORK_DONE.has(kind);
        startedAndFailed.push(attempt);
      }
      // Passed over, it reports its blocks only (the other entries are what the cloud would have been
      // sent; later targets report their own). As the client's answer, its whole summary.
      if (error instanceof PiiBlockedError) addBlocked(withheldPii, passedOver ? error.summary.filter(isBlock) : error.summary);
      const failed = new ExecutionFailedError(error, attempt, path, withheldPii, startedAndFailed);
      if (ctx.signal.aborted) throw failed;
      if (!kind) throw failed;
      let noHost = false;
      if (error instanceof KeepLocalError && !keptLocal) {
        keptLocal = true;
        withheldPii.push(...error.summary);
        const onHost = deps.keepOnHost(error.types);
        if (onHost) {
          decision = onHost;
          // A redirect, not a fallback: the cloud model was never called and nothing failed, so it is
          // not in the path the answer (x-switchyard-fallback) and its usage record report, as the dry
          // run names no fallback. x-switchyard-pii's keep_local says what moved the request.
          path.pop();
        } else noHost = true;
      }
      // A target that was never called (its provider not configured, its model not ready, the PII
      // policy keeping the request on the host, its window too small) does not hide why one that was
      // called failed: the client gets that failure (an overloaded local model's 503 and Retry-After,
      // say). One not ready says more than one too small (it may take the prompt once it is); of
      // targets too small, the largest's 400 says how long the prompt may be (`largestTooSmall`). The
      // model the client named whose provider has no key (`unconfigured`) was the first not called.
      // The PII policy's step-down to an on-host target is a redirect, not a failure to report: what that
      // target answers is (its window too small: its 400, as the dry run says).
      const steppedDown = error instanceof KeepLocalError && !noHost;
      // Not called, so not reported as a fallback (x-switchyard-fallback, usage `fallback`).
      if (passedOver) path.pop();
      const called = !NOT_CALLED.has(kind) || attempt.generationStartedAt !== undefined;
      if (kind === "context_window" && !called) tooSmall.push({ window: deps.contextWindow(model), refusal: failed });
      else if (!steppedDown && !passedOver && (called || !reportedCalled)) {
        reported = failed;
        reportedCalled = called;
      }
      failures.push({ model: model.id, kind });
      // No on-host target can serve it: the client gets the keep-local refusal, not a cloud fallback.
      step = noHost ? undefined : nextTarget(decision, failures, deps.catalog);
      ctx.log.warn(
        // A passed-over refusal is the client's answer nowhere: its cause (a failed scan's reason) is
        // logged here, as routes/errors.ts logs an answer's.
        { model: model.id, code: error instanceof GatewayError ? error.code : undefined, next: step?.model, ...(passedOver ? { err: error } : {}) },
        step ? "target failed; falling back" : "target failed; no fallback left",
      );
    }
  }
  if (reported) throw reported;
  if (unconfigured) {
    const attempt: Attempt = { model: unconfigured.id, route: unconfigured.location, generationStartedAt: undefined };
    throw new ExecutionFailedError(deps.notConfigured(unconfigured), attempt, path, withheldPii, startedAndFailed);
  }
  throw largestTooSmall(tooSmall)?.refusal;
}

async function run(call: PreparedCall, ctx: ChatRequestContext, onStart: (promptTokens?: number) => void): Promise<Answer> {
  const stream = ctx.body.stream === true;
  if (call.location === "cloud") {
    const input = { model: call.model, request: call.request, signal: ctx.signal, onStart, tenant: ctx.tenant.id };
    return stream ? { kind: "stream", chunks: await call.provider.stream(input) } : { kind: "completion", completion: await call.provider.complete(input) };
  }
  const input = { model: call.model, request: call.request, signal: ctx.signal, onStart, tenant: ctx.tenant.id };
  return stream ? { kind: "stream", chunks: await call.provider.stream(input) } : { kind: "completion", completion: await call.provider.complete(input) };
}
