/**
 * Run-time fallbacks: when the chosen target fails, which one to try next. Pure, like `decide`: the
 * executor passes the decision, what failed and how, and what it already tried.
 *
 * Order: the rest of the decision's chain (already filtered for what the request needs), skipping
 * targets on the failed target's provider when the provider itself is the problem (refused, timed out,
 * unavailable, overloaded); then the policy's last resort for the failed side — a failing local target
 * degrades to the default cloud model and a failing cloud target to the default local model, when the
 * policy allows it (`degrade` in routing.yaml, `degrade: false` on a rule, `pii: keep_local`).
 */
import { GatewayError } from "../errors.js";
import type { Location } from "../models/registry.js";
import { namedByClient, type CatalogModel, type PolicyCatalog } from "./catalog.js";
import type { CompiledPolicy } from "./compile.js";
import { ineligible, type RouteDecision, type SkippedTarget } from "./decide.js";
import type { RequestFeatures } from "./features.js";

export const POLICY_HEADER = "x-switchyard-policy";
export const FALLBACK_HEADER = "x-switchyard-fallback";

export const FAILURE_KINDS = ["rate_limited", "server_error", "timeout", "connection_refused", "unavailable", "local_overload", "context_window", "pii_refused"] as const;
/**
 * - `rate_limited`: 429 from the target.
 * - `server_error`: a 5xx answer (or a stream that broke before its first byte).
 * - `timeout`: no answer in time.
 * - `connection_refused`: the target could not be reached.
 * - `unavailable`: the target is not ready (a local model loading or failed, a provider without its key).
 * - `local_overload`: the local model's queue is full or the wait for a slot timed out.
 * - `context_window`: the prompt does not fit the target's window as its runtime counts it (found
 *   while preparing the call, nothing sent); never for the model the client asked for by name
 *   (`preparationFailureKind`).
 * - `pii_refused`: the PII policy refused this call's prompt (nothing sent): a fallback passed over
 *   after an earlier failure. About the prompt, not the provider: its other models, whose windows may
 *   trim the refused part away, stay in the chain.
 */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Failures that say the provider (not just this model) is out: its other models are skipped for the request. */
const PROVIDER_DOWN: ReadonlySet<FailureKind> = new Set(["timeout", "connection_refused", "unavailable", "local_overload"]);

export interface Failure {
  /** The model id that failed. */
  model: string;
  kind: FailureKind;
}

export interface FallbackStep {
  model: string;
  route: Location;
  /** Where it came from: `chain` (the rule's fallbacks) or `degrade` (the policy's last resort). */
  via: "chain" | "degrade";
}

/**
 * The next target to try, given every failure so far for this request, in order (the last one is the
 * attempt that just failed), or undefined when there is none (the executor then returns the last
 * failure of a target it could call to the client). A provider that timed out, refused, was unavailable or overloaded is skipped
 * for the rest of the request.
 *
 * After the chain: the policy's last resorts (`decision.degrade`), the other side first — a failing
 * local target degrades to the default cloud model, a failing cloud target to the default local one —
 * then the same side; each only if the policy allows it and it was not tried already.
 */
export function nextTarget(decision: RouteDecision, failures: readonly Failure[], catalog: PolicyCatalog): FallbackStep | undefined {
  const last = failures[failures.length - 1];
  if (!last) return { model: decision.model, route: decision.route, via: "chain" };
  const tried = new Set<string>();
  const downProviders = new Set<string>();
  for (const failure of failures) {
    tried.add(failure.model);
    const model = catalog.models.get(failure.model);
    if (model && PROVIDER_DOWN.has(failure.kind)) downProviders.add(model.providerId);
  }
  const usable = (id: string | undefined) => {
    if (id === undefined || tried.has(id)) return undefined;
    const model = catalog.models.get(id);
    return model && !downProviders.has(model.providerId) ? model : undefined;
  };

  for (const id of [decision.model, ...decision.fallbacks]) {
    const model = usable(id);
    if (model) return { model: model.id, route: model.location, via: "chain" };
  }

  const failedSide: Location = catalog.models.get(last.model)?.location ?? (last.kind === "local_overload" ? "local" : "cloud");
  const order = failedSide === "local" ? [decision.degrade.cloud, decision.degrade.local] : [decision.degrade.local, decision.degrade.cloud];
  for (const id of order) {
    const model = usable(id);
    if (model) return { model: model.id, route: model.location, via: "degrade" };
  }
  return undefined;
}

/**
 * The decision once the PII policy keeps a cloud-bound request on the host (pii.yaml `keep_local` for
 * an entity type found or for non-text content, or a failed scan with `on_failure: local`): the
 * on-host targets of its chain, in order, then — when the rule allows last resorts (`degrade`, not
 * `degrade: false`) — models.yaml's default local model; each only if it can serve the request
 * (`ineligible`: capabilities, context window), an unhealthy one after the healthy. No cloud target remains, in the chain or as
 * a run-time last resort; the cloud targets dropped are listed in `skipped`. Undefined when no on-host
 * target can serve it: the client gets 503 `pii_keep_local`.
 *
 * Pure, and the one step-down both the executor and the dry run (`POST /v1/route`) take, so the dry run
 * names the local hop (or the refusal) the real request meets.
 */
export function keptOnHost(decision: RouteDecision, features: RequestFeatures, policy: CompiledPolicy, types: readonly string[]): RouteDecision | undefined {
  const action = decision.ruleIndex >= 0 ? policy.rules[decision.ruleIndex]?.action : policy.defaultAction;
  const chain = [decision.model, ...decision.fallbacks].map((id) => policy.catalog.models.get(id));
  if (action?.degrade !== false) chain.push(policy.catalog.defaultLocal);
  const ready: CatalogModel[] = [];
  // An in-process model still loading (or failed to load) goes last rather than out: with no other
  // on-host target the client hears why it cannot answer (its own 503), not that none exists.
  const down: CatalogModel[] = [];
  for (const model of chain) {
    if (!model || model.location !== "local" || ready.includes(model) || down.includes(model)) continue;
    const skip = ineligible(model, features, "keep_local");
    if (!skip) ready.push(model);
    else if (skip.kind === "unhealthy") down.push(model);
  }
  const [first, ...rest] = [...ready, ...down];
  if (!first) return undefined;
  const reason = types.length > 0 ? `pii.yaml keep_local (${types.join(", ")}): no cloud` : "pii.yaml keep_local: no cloud";
  const skipped: SkippedTarget[] = [...decision.skipped];
  for (const id of [decision.model, ...decision.fallbacks, decision.degrade.cloud]) {
    if (id === undefined || skipped.some((s) => s.model === id)) continue;
    if (policy.catalog.models.get(id)?.location === "cloud") skipped.push({ model: id, reason, kind: "pii_keep_local" });
  }
  return { ...decision, skipped, route: "local", model: first.id, fallbacks: rest.map((m) => m.id), degrade: {} };
}

/**
 * Classifies an error thrown by a provider into a failure kind, or undefined for errors a fallback
 * cannot fix (the request itself is bad, the client went away).
 */
export function failureKindOf(error: unknown): FailureKind | undefined {
  if (!(error instanceof GatewayError)) return error instanceof Error ? "server_error" : undefined;
  switch (error.code) {
    // The PII policy refused the request (or could not check it and says refuse): no target may take it.
    case "pii_scan_failed":
    case "pii_blocked":
      return undefined;
    case "overloaded":
      return "local_overload";
    case "upstream_rate_limited":
      return "rate_limited";
    case "upstream_timeout":
      return "timeout";
    case "upstream_unreachable":
      return "connection_refused";
    case "model_loading":
    case "model_unavailable":
    case "provider_not_configured":
    case "target_unavailable":
      return "unavailable";
  }
  if (error.status === 429) return "rate_limited";
  if (error.status === 504 || error.status === 408) return "timeout";
  if (error.status >= 500 && error.status <= 599) return "server_error";
  return undefined;
}

/**
 * What a failure to prepare the call for `model` (before anything is sent) means for the chain. A
 * prompt too long for a target the policy chose (`context_length_exceeded`: the window is too small
 * as the model's own tokenizer counts it) moves on to the next target, which may be larger; for the
 * model the client asked for by name (its id, or the `local`/`cloud` alias), that 400 is the answer,
 * as OpenAI gives it. Anything else as `failureKindOf` says.
 *
 * @example
 * preparationFailureKind(tooLong, "local-slm", "auto", catalog); // "context_window"
 * preparationFailureKind(tooLong, "local-slm", "local", catalog); // undefined: the client gets the 400
 */
export function preparationFailureKind(error: unknown, model: string, requestedModel: string, catalog: PolicyCatalog): FailureKind | undefined {
  if (error instanceof GatewayError && error.code === "context_length_exceeded") {
    return namedByClient(model, requestedModel, catalog) ? undefined : "context_window";
  }
  return failureKindOf(error);
}

/**
 * The decision once its first target turned out too small for the prompt at run time and `next` (from
 * `nextTarget`) takes over: `skip` is listed with the decision-time skips, and `next` leaves the rest
 * of the chain and the last resorts. What the dry run (`POST /v1/route`) answers, as the executor
 * moves on the same way.
 */
export function pastTooSmall(decision: RouteDecision, skip: SkippedTarget, next: FallbackStep): RouteDecision {
  const fallbacks = decision.fallbacks.filter((id) => id !== next.model && id !== skip.model);
  const degrade = { ...decision.degrade };
  if (degrade.local === next.model) delete degrade.local;
  if (degrade.cloud === next.model) delete degrade.cloud;
  return { ...decision, skipped: [...decision.skipped, skip], route: next.route, model: next.model, fallbacks, degrade };
}

/** A target the prompt was too long for, found while preparing its call (nothing sent). */
export interface TooSmallTarget<R> {
  /**
   * The window the target runs with (`ProviderSet.contextWindow`): its runtime's once loaded in
   * process (node-llama-cpp pads models.yaml's number up to a multiple of 256 tokens), models.yaml's
   * otherwise. The window its 400 states.
   */
  window: number;
  /** What the client gets if this target's refusal is the one reported. */
  refusal: R;
}

/**
 * Of the targets too small for the prompt, the one whose 400 `context_length_exceeded` the client
 * gets when no target could take it: the largest window's (the first tried of equals), which says
 * how long the prompt may be. The executor and the dry run (`POST /v1/route`) both choose with this,
 * from the same windows, so the dry run answers the real request's 400.
 *
 * @example
 * largestTooSmall([{ window: 1280, refusal: a }, { window: 1280, refusal: b }])?.refusal; // a
 */
export function largestTooSmall<R>(targets: readonly TooSmallTarget<R>[]): TooSmallTarget<R> | undefined {
  let largest: TooSmallTarget<R> | undefined;
  for (const target of targets) if (!largest || largest.window < target.window) largest = target;
  return largest;
}

const ARROW = "→";
const ASCII_ARROW = "->";
const ARROW_LATIN1 = Buffer.from(ARROW, "utf8").toString("latin1");

/**
 * The `x-switchyard-fallback` value for the models tried, in order: `<from>→<to>` (more hops continue
 * the path: `a→b→c`). Header values are bytes: the arrow goes out as its UTF-8 bytes, so this returns
 * the string whose Latin-1 code units are those bytes (what the Fetch `Headers` class and Node accept).
 *
 * Caveat (Node 20, verified in test/policy/fallback.test.ts): Node writes response headers as given only
 * when the first body write is a Buffer/Uint8Array. With a string body (`res.end(string)`) or after
 * `flushHeaders()` — which @hono/node-server calls for every streamed body, SSE included — it sends the
 * header block UTF-8-encoded again, so clients see `â` + two control bytes instead of `→`. Send
 * non-streaming bodies as bytes, or pass `{ ascii: true }` for `<from>-><to>`, which survives any path.
 * `readFallbackHeader` understands all three forms.
 */
export function fallbackHeaderValue(path: readonly string[], options: { ascii?: boolean } = {}): string {
  return options.ascii ? path.join(ASCII_ARROW) : path.join(ARROW_LATIN1);
}

/**
 * The model path in an `x-switchyard-fallback` value as a client receives it: Latin-1 code units of the
 * UTF-8 arrow, the same encoded twice (see `fallbackHeaderValue`), an already decoded `→`, or `->`.
 */
export function readFallbackHeader(value: string): string[] {
  let text = value;
  for (let i = 0; i < 3 && !text.includes(ARROW) && /[\u0080-\u00ff]/.test(text); i++) {
    text = Buffer.from(text, "latin1").toString("utf8");
  }
  if (text.includes(ARROW)) return text.split(ARROW);
  return text.split(ASCII_ARROW);
}
