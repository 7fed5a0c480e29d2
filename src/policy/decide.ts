/**
 * `decide(features, policy)`: where one request goes. Pure — no I/O, no clock, no randomness — so the
 * same features and policy always give the same decision, which is what the tests, the dry-run
 * endpoint, shadow mode and the CLI rely on.
 */
import { echo } from "../api/echo.js";
import { modelNotFoundMessage, providerNotConfiguredMessage } from "../errors.js";
import type { Location } from "../models/registry.js";
import { namedByClient, type CatalogModel } from "./catalog.js";
import type { CompiledAction, CompiledPolicy } from "./compile.js";
import type { RequestFeatures, StickyState } from "./features.js";
import type { PiiRouteAction } from "./schema.js";

export type SkipKind = "unknown_model" | "not_requested" | "capability" | "context_window" | "pii_keep_local" | "budget_force_local" | "unhealthy" | "unconfigured";

export interface SkippedTarget {
  /** The model id (or the target as written, when it names no model). */
  model: string;
  reason: string;
  kind: SkipKind;
}

export interface StickyOutcome {
  /** The session's sticky target replaced the rule's first choice. */
  applied: boolean;
  /** Why an offered sticky state was not applied. */
  note?: string;
  /** What the pipeline stores for the session's next turn; null = nothing (delete any stored state). */
  remember: StickyState | null;
}

interface DecisionBase {
  /** Version hash of the policy that decided. */
  policy: string;
  /** Name of the rule that fired, or `default`. */
  rule: string;
  /** Its position in `rules` (0-based); -1 for `default`. */
  ruleIndex: number;
  /** Why each earlier rule did not match, in order: `<rule>: <first condition that failed>`. */
  reasons: string[];
  /** Targets of the fired rule that cannot serve this request, and why. */
  skipped: SkippedTarget[];
  sticky: StickyOutcome;
}

export interface RouteDecision extends DecisionBase {
  kind: "route";
  route: Location;
  /** The model to call first. */
  model: string;
  /** The rest of the chain, in order, every one able to serve the request. */
  fallbacks: string[];
  /** Last resorts for run-time failures once the chain is used up (`degrade` in routing.yaml). */
  degrade: { local?: string; cloud?: string };
  /** Upper bound for the completion's max_tokens; undefined = no cap from the policy. */
  maxTokens: number | undefined;
  pii: PiiRouteAction;
  pinned: boolean;
  /**
   * The model the client named, when its provider cannot be called (no API key: skipped as
   * `unconfigured`) and `model` answers in its place. The run time would have called it first and
   * fallen back at once; the answer reports that fallback (`x-switchyard-fallback: <fallbackFrom>→<model>`,
   * usage `fallback: true`), so a client is never answered by another model than it asked for
   * without being told. Absent otherwise: a target the policy chose is skipped silently, as any skip.
   */
  fallbackFrom?: string;
}

export interface DenyDecision extends DecisionBase {
  kind: "deny";
  status: number;
  code: string;
  message: string;
  /**
   * Set when a target the rule lists is an in-process model still loading: the refusal ends within
   * seconds, so the client is told when to retry. Absent: the same request gets the same answer, and
   * the client is told not to retry.
   */
  retryAfterSeconds?: number;
}

/**
 * The retry hint for a request refused while a target loads. The official SDKs sleep out a Retry-After
 * (up to 60 s) and retry twice by default: 5 s apart covers a loading model's typical seconds to tens of
 * seconds without a client hammering a gateway that just started.
 */
export const LOADING_RETRY_AFTER_SECONDS = 5;

export type Decision = RouteDecision | DenyDecision;

const ESCALATION_NOTE_EXPIRED = "sticky: no turns left";
const ESCALATION_NOTE_INTENT = "sticky: intent changed";
const ESCALATION_NOTE_PINNED = "sticky: rule is pinned";

export function decide(features: RequestFeatures, policy: CompiledPolicy): Decision {
  const reasons: string[] = [];
  let action: CompiledAction = policy.defaultAction;
  let ruleName = "default";
  let ruleIndex = -1;
  const rules = policy.rules;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    const tests = rule.tests;
    let miss: string | undefined;
    for (let t = 0; t < tests.length; t++) {
      const test = tests[t]!;
      if (!test.holds(features)) {
        miss = test.miss;
        break;
      }
    }
    if (miss === undefined) {
      action = rule.action;
      ruleName = rule.name;
      ruleIndex = r;
      break;
    }
    reasons.push(miss);
  }

  const offered = policy.sticky ? features.sticky : undefined;
  const skipped: SkippedTarget[] = [];

  if (action.deny) {
    return denyDecision(action.deny, { policy: policy.version, rule: ruleName, ruleIndex, reasons, skipped, sticky: { applied: false, remember: offered ?? null } });
  }

  // The fired rule's chain, minus what cannot serve this request.
  const chain: CatalogModel[] = [];
  /** The target the run time would call first were every provider's key set. */
  let firstCallable: CatalogModel | undefined;
  for (const target of action.targets) {
    let model: CatalogModel | undefined;
    if (target.type === "model") model = target.model;
    else if (target.type === "intent_default") model = intentDefaultModel(features, policy);
    else {
      model = requestedModel(features, policy, skipped);
      // A client's typo is a 404, as OpenAI answers it, never an answer from another target of the chain.
      const unknown = model ? undefined : skipped.find((s) => s.kind === "unknown_model");
      if (unknown) {
        const notFound = { status: 404, code: "model_not_found", message: modelNotFoundMessage(unknown.model) };
        return denyDecision(notFound, { policy: policy.version, rule: ruleName, ruleIndex, reasons, skipped, sticky: { applied: false, remember: offered ?? null } });
      }
    }
    if (!model || chain.includes(model) || skipped.some((s) => s.model === model.id)) continue;
    const skip = ineligible(model, features, action.pii);
    if (skip) skipped.push(skip);
    else chain.push(model);
    if (!skip || skip.kind === "unconfigured") firstCallable ??= model;
  }
  const ruleChoice = chain[0];

  // Sticky sessions: an unpinned rule yields to the session's target while it has turns left.
  const stickyPolicy = policy.sticky;
  let stickyApplied = false;
  let stickyNote: string | undefined;
  if (stickyPolicy && offered) {
    if (action.pin) stickyNote = ESCALATION_NOTE_PINNED;
    else if (offered.turnsLeft <= 0) stickyNote = ESCALATION_NOTE_EXPIRED;
    else if (
      stickyPolicy.until_intent_changes &&
      features.intent !== undefined &&
      offered.intent !== undefined &&
      features.intent !== offered.intent
    ) {
      stickyNote = ESCALATION_NOTE_INTENT;
    } else {
      const model = policy.catalog.models.get(offered.target);
      const skip = model ? ineligible(model, features, action.pii) : { model: offered.target, reason: "unknown model", kind: "unknown_model" as const };
      if (skip) stickyNote = `sticky: ${skip.model}: ${skip.reason}`;
      else if (model) {
        stickyApplied = true;
        const at = chain.indexOf(model);
        if (at >= 0) chain.splice(at, 1);
        chain.unshift(model);
      }
    }
  }

  // Targets whose provider cannot be called fail at once at run time, and the executor moves on to the
  // last resorts: taken here already, so the decision (and the dry run) names what answers.
  if (chain.length === 0 && action.degrade) {
    const uncallable = skipped.findLast((s) => s.kind === "unconfigured");
    const side = uncallable ? policy.catalog.models.get(uncallable.model)?.location : undefined;
    if (side) {
      const resorts = lastResorts(policy, features, action.pii, chain);
      for (const id of side === "local" ? [resorts.cloud, resorts.local] : [resorts.local, resorts.cloud]) {
        const model = id === undefined ? undefined : policy.catalog.models.get(id);
        if (model) chain.push(model);
      }
    }
  }

  const chosen = chain[0];
  if (!chosen) {
    const deny = action.elseDeny ?? unroutable(ruleName, skipped, features, policy);
    return denyDecision(deny, { policy: policy.version, rule: ruleName, ruleIndex, reasons, skipped, sticky: stickyOutcome(false, stickyNote, offered ?? null) });
  }

  let remember: StickyState | null = null;
  if (stickyPolicy) {
    // A pinned decision (an explicit model, secrets kept local, a spent budget) is a detour, not an
    // escalation: it leaves the session as it was, and so never needs the intent.
    if (action.pin) remember = offered ?? null;
    else if (stickyApplied && ruleChoice !== chosen) {
      const left = offered!.turnsLeft - 1;
      remember = left > 0 ? { ...offered!, turnsLeft: left } : null;
    } else if (!stickyPolicy.escalations_only || chosen.location === "cloud") {
      remember = { target: chosen.id, turnsLeft: stickyPolicy.turns };
      if (features.intent !== undefined) remember.intent = features.intent;
    }
  }

  const fallbacks: string[] = [];
  for (let i = 1; i < chain.length; i++) fallbacks.push(chain[i]!.id);
  const degrade = action.degrade ? lastResorts(policy, features, action.pii, chain) : {};
  // Not after a sticky session took the lead: the client's model would not have been called first.
  const replaced = !stickyApplied && firstCallable !== undefined && firstCallable !== chosen ? firstCallable : undefined;
  const fallbackFrom = replaced && namedByClient(replaced.id, features.requestedModel, policy.catalog) ? { fallbackFrom: replaced.id } : {};

  return {
    kind: "route",
    policy: policy.version,
    rule: ruleName,
    ruleIndex,
    reasons,
    skipped,
    sticky: stickyOutcome(stickyApplied, stickyNote, remember),
    route: chosen.location,
    model: chosen.id,
    fallbacks,
    degrade,
    maxTokens: action.maxTokens,
    pii: action.pii,
    pinned: action.pin,
    ...fallbackFrom,
  };
}

/** The policy's run-time last resorts (`degrade`) that can serve the request and are not in `chain`. */
function lastResorts(policy: CompiledPolicy, features: RequestFeatures, pii: PiiRouteAction, chain: readonly CatalogModel[]): { local?: string; cloud?: string } {
  const resorts: { local?: string; cloud?: string } = {};
  const local = policy.degrade.cloud_failure === "local" ? policy.catalog.defaultLocal : undefined;
  if (local && !chain.includes(local) && !ineligible(local, features, pii)) resorts.local = local.id;
  const cloud = policy.degrade.local_overload === "cloud" ? policy.catalog.defaultCloud : undefined;
  if (cloud && !chain.includes(cloud) && !ineligible(cloud, features, pii)) resorts.cloud = cloud.id;
  return resorts;
}

function stickyOutcome(applied: boolean, note: string | undefined, remember: StickyState | null): StickyOutcome {
  return note === undefined ? { applied, remember } : { applied, note, remember };
}

function intentDefaultModel(features: RequestFeatures, policy: CompiledPolicy): CatalogModel | undefined {
  const route = (features.intent !== undefined ? policy.intentRoutes.get(features.intent) : undefined) ?? policy.unclassifiedRoute;
  return route === "local" ? policy.catalog.defaultLocal : policy.catalog.defaultCloud;
}

function requestedModel(features: RequestFeatures, policy: CompiledPolicy, skipped: SkippedTarget[]): CatalogModel | undefined {
  const requested = features.requestedModel;
  if (requested === "auto") {
    if (!skipped.some((s) => s.kind === "not_requested")) {
      skipped.push({ model: "requested", reason: "the client asked for auto", kind: "not_requested" });
    }
    return undefined;
  }
  if (requested === "local") return policy.catalog.defaultLocal;
  if (requested === "cloud") return policy.catalog.defaultCloud;
  const model = policy.catalog.models.get(requested);
  // Quoted in the 404 and the dry run's explanation: never as long as a hostile name.
  const quoted = echo(requested);
  if (!model && !skipped.some((s) => s.model === quoted)) {
    skipped.push({ model: quoted, reason: "unknown model", kind: "unknown_model" });
  }
  return model;
}

/** Why `model` cannot serve this request, or undefined when it can. */
export function ineligible(model: CatalogModel, features: RequestFeatures, pii: PiiRouteAction): SkippedTarget | undefined {
  if (pii === "keep_local" && model.location === "cloud") return { model: model.id, reason: "pii keep_local: no cloud", kind: "pii_keep_local" };
  // A spent budget reaches routing only with `action: force_local` (a `deny` refuses before it): the
  // cloud is off for the tenant whatever rule fired, not only where a rule tests `budget_exceeded`.
  if (features.budgetExceeded && model.location === "cloud") return { model: model.id, reason: "budget spent (force_local): no cloud", kind: "budget_force_local" };
  if (features.hasTools && !model.tools) return { model: model.id, reason: "no tools support", kind: "capability" };
  if (features.hasImages && !model.vision) return { model: model.id, reason: "no vision (images)", kind: "capability" };
  if (features.beyondInProcess && model.inProcess) return { model: model.id, reason: `in-process: no ${features.beyondInProcess}`, kind: "capability" };
  if (features.responseFormat === "json_schema" && !model.jsonSchema) {
    return { model: model.id, reason: "no json_schema support", kind: "capability" };
  }
  if (features.jsonSchemaBeyondGrammar !== undefined && model.inProcess) {
    return { model: model.id, reason: `json_schema beyond its grammar: ${features.jsonSchemaBeyondGrammar}`, kind: "capability" };
  }
  const needed = features.minPromptTokens ?? features.promptTokens;
  if (needed >= model.contextWindow) {
    return {
      model: model.id,
      reason: `prompt of ${needed} tokens does not fit context window ${model.contextWindow}`,
      kind: "context_window",
    };
  }
  const unconfigured = uncallable(model, features);
  if (unconfigured !== undefined) return { model: model.id, reason: `provider not configured (${unconfigured})`, kind: "unconfigured" };
  if (model.inProcess && features.unhealthyModels?.includes(model.id)) return { model: model.id, reason: "local model not ready (loading, or failed to load: see /readyz)", kind: "unhealthy" };
  return undefined;
}

type Deny = { status: number; code: string; message: string; retryAfterSeconds?: number };

function denyDecision(deny: Deny, base: DecisionBase): DenyDecision {
  const decision: DenyDecision = { kind: "deny", ...base, status: deny.status, code: deny.code, message: deny.message };
  if (deny.retryAfterSeconds !== undefined) decision.retryAfterSeconds = deny.retryAfterSeconds;
  return decision;
}

/** Why `model`'s provider cannot be called (its key is not set), or undefined when it can. */
function uncallable(model: CatalogModel, features: RequestFeatures): string | undefined {
  const providers = features.unconfiguredProviders;
  return providers && Object.hasOwn(providers, model.providerId) ? providers[model.providerId] : undefined;
}

function unroutable(rule: string, skipped: readonly SkippedTarget[], features: RequestFeatures, policy: CompiledPolicy): Deny {
  const targets = skipped.filter((s) => s.kind !== "not_requested");
  const first = targets.length > 0 && targets.every((s) => s.kind === "unconfigured") ? policy.catalog.models.get(targets[0]!.model) : undefined;
  if (first) {
    // Only targets whose provider has no key: the error a call to it answers (as the executor's did
    // before they were skipped here), naming the variable to set.
    return { status: 503, code: "provider_not_configured", message: providerNotConfiguredMessage(first.providerId, uncallable(first, features)!) };
  }
  const why = skipped.map((s) => `${s.model}: ${s.reason}`).join("; ");
  const detail = why ? `: ${why}` : " (it lists none)";
  if (skipped.some((s) => s.kind === "unhealthy" || s.kind === "unconfigured")) {
    const message = `No target of routing rule '${rule}' is available${detail}.`;
    const loading = skipped.some((s) => s.kind === "unhealthy" && features.loadingModels?.includes(s.model));
    return { status: 503, code: "no_available_target", message, ...(loading ? { retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS } : {}) };
  }
  if (skipped.some((s) => s.kind === "budget_force_local")) {
    return {
      status: 429,
      code: "budget_exceeded",
      message: `The monthly budget is spent: until it resets only on-host models serve this tenant, and no on-host target of routing rule '${rule}' can serve this request${detail}.`,
    };
  }
  return { status: 400, code: "no_capable_target", message: `No target of routing rule '${rule}' can serve this request${detail}.` };
}
