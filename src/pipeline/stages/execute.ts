/**
 * Stage 5: call the decided model, falling back along the policy's chain when a target fails before
 * answering (429, 5xx, timeout, refused connection, local overload, not ready). A stream counts as
 * answered once the provider accepted it (a server: once its first event arrived, so a 200 that fails
 * before any chunk still falls back); later failures end the stream instead of switching models.
 * When none answers, the client gets the last failure of a target that was actually called.
 */
import { GatewayError } from "../../errors.js";
import type { Location, ModelEntry, ModelRegistry } from "../../models/registry.js";
import type { RouteDecision } from "../../policy/decide.js";
import { failureKindOf, nextTarget, type Failure, type FallbackStep } from "../../policy/fallback.js";
import type { PolicyCatalog } from "../../policy/catalog.js";
import type { ChatCompletion, ChunkStream } from "../../providers/types.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { KeepLocalError, type PreparedCall } from "./prepare.js";

export type Answer = { kind: "completion"; completion: ChatCompletion } | { kind: "stream"; chunks: ChunkStream };

export interface Execution {
  call: PreparedCall;
  answer: Answer;
  /** Model ids tried, in order; more than one means a fallback happened. */
  path: string[];
  /** When the answering model started on the request (`performance.now()`), queue wait excluded. */
  generationStartedAt: number | undefined;
}

/** One target the executor tried, as usage records it when the request fails there. */
export interface Attempt {
  model: string;
  route: Location;
  /** When the model started on the request (`performance.now()`); undefined when it never did (no slot, nothing sent). */
  generationStartedAt: number | undefined;
}

/**
 * Every target failed (or one failed in a way no fallback fixes): `cause` is the error the client
 * gets, `attempt` the target that failed with it, `path` every model id tried, in order.
 */
export class ExecutionFailedError extends Error {
  declare readonly cause: unknown;

  constructor(cause: unknown, readonly attempt: Attempt, readonly path: readonly string[]) {
    super("the request failed at its model", { cause });
    this.name = "ExecutionFailedError";
  }
}

export interface ExecuteDeps {
  registry: ModelRegistry;
  catalog: PolicyCatalog;
  prepare(model: ModelEntry): PreparedCall;
}

export async function execute(ctx: ChatRequestContext, decision: RouteDecision, deps: ExecuteDeps): Promise<Execution> {
  const failures: Failure[] = [];
  const path: string[] = [];
  let step: FallbackStep | undefined = { model: decision.model, route: decision.route, via: "chain" };
  let keepLocal = false;
  /** The failure the client gets when no target answers, and whether its target was called at all. */
  let reported: ExecutionFailedError | undefined;
  let reportedCalled = false;
  while (step) {
    const model = deps.registry.get(step.model);
    if (!model) throw new Error(`policy target '${step.model}' is not a configured model`);
    path.push(model.id);
    const attempt: Attempt = { model: model.id, route: model.location, generationStartedAt: undefined };
    try {
      const call = deps.prepare(model);
      const answer = await run(call, ctx, () => (attempt.generationStartedAt = performance.now()));
      return { call, answer, path, generationStartedAt: attempt.generationStartedAt };
    } catch (error) {
      const failed = new ExecutionFailedError(error, attempt, path);
      if (ctx.signal.aborted) throw failed;
      const kind = error instanceof KeepLocalError ? "unavailable" : failureKindOf(error);
      if (!kind) throw failed;
      if (error instanceof KeepLocalError) keepLocal = true;
      // A target that was never called (its provider not configured, its model not ready, the PII
      // policy keeping the request on the host) does not hide why one that was called failed: the
      // client gets that failure (an overloaded local model's 503 and Retry-After, say).
      const called = kind !== "unavailable" || attempt.generationStartedAt !== undefined;
      if (called || !reportedCalled) {
        reported = failed;
        reportedCalled = called;
      }
      failures.push({ model: model.id, kind });
      step = nextStep(decision, failures, deps, keepLocal);
      ctx.log.warn(
        { model: model.id, code: error instanceof GatewayError ? error.code : undefined, next: step?.model },
        step ? "target failed; falling back" : "target failed; no fallback left",
      );
    }
  }
  throw reported;
}

/** After a keep-local refusal only on-host targets qualify: the chain's, then the default local model. */
function nextStep(decision: RouteDecision, failures: Failure[], deps: ExecuteDeps, keepLocal: boolean): FallbackStep | undefined {
  if (!keepLocal) return nextTarget(decision, failures, deps.catalog);
  const tried = new Set(failures.map((f) => f.model));
  const candidates = [decision.model, ...decision.fallbacks, decision.degrade.local, deps.registry.defaultLocal?.id];
  for (const id of candidates) {
    if (id === undefined || tried.has(id)) continue;
    const model = deps.registry.get(id);
    if (model?.location === "local") return { model: id, route: "local", via: "degrade" };
  }
  return undefined;
}

async function run(call: PreparedCall, ctx: ChatRequestContext, onStart: () => void): Promise<Answer> {
  const stream = ctx.body.stream === true;
  if (call.location === "cloud") {
    const input = { model: call.model, request: call.request, signal: ctx.signal, onStart };
    return stream ? { kind: "stream", chunks: await call.provider.stream(input) } : { kind: "completion", completion: await call.provider.complete(input) };
  }
  const input = { model: call.model, request: call.request, signal: ctx.signal, onStart };
  return stream ? { kind: "stream", chunks: await call.provider.stream(input) } : { kind: "completion", completion: await call.provider.complete(input) };
}
