/**
 * Dry runs: what the gateway would do with a chat request, without calling any model. The HTTP route
 * (`POST /v1/route`) and the CLI (`policy explain`) both produce `DryRunResponse` from an
 * `ExplainResult`; the gateway supplies the `ExplainFn` that runs its real stages (classifier, PII scan,
 * context) up to the decision.
 */
import type { Logger } from "pino";
import type { ChatCompletionRequest } from "../api/chat-request.js";
import type { Tenant } from "../auth/api-keys.js";
import type { GatewayError } from "../errors.js";
import type { Location } from "../models/registry.js";
import type { CompiledPolicy } from "./compile.js";
import { SESSION_ID_HEADER } from "../context/headers.js";
import { decisionNeedsClassification } from "./classification-need.js";
import { decide, type Decision } from "./decide.js";
import { echo } from "../api/echo.js";
import { featuresFromRequest, lastUserText, promptTokenCounts, requestTexts, type Classification, type RequestFeatures, type StickyState } from "./features.js";
import type { PiiRouteAction } from "./schema.js";

export interface ExplainContext {
  requestId: string;
  tenant: Tenant;
  /** Request header lookup (lower-case names). */
  header(name: string): string | undefined;
  signal: AbortSignal;
  log: Logger;
}

/** What the PII stage found (types and counts, never values). */
export interface PiiFindings {
  types: string[];
  counts?: Record<string, number>;
  /** Per entity type, the action the PII engine would take for the chosen target, when known. */
  actions?: Record<string, string>;
}

export interface ExplainResult {
  features: RequestFeatures;
  decision: Decision;
  pii: PiiFindings;
  /**
   * For a deny: the error a real request gets, when the gateway answers with a more precise one than
   * the decision's (the requested model's own refusal: the parameter it cannot handle, the context
   * length). Absent: the decision's status, code and message.
   */
  denial?: { status: number; code: string; message: string } | undefined;
}

/**
 * Runs the request's stages up to the routing decision and stops there. A request the gateway would
 * refuse before calling any model for another reason than a policy deny (a budget spent with
 * `deny`, `n > 1`, a parameter the chosen model cannot handle, PII the
 * policy blocks for it) rejects with the error the real request gets.
 */
export type ExplainFn = (body: ChatCompletionRequest, ctx: ExplainContext) => Promise<ExplainResult>;

export interface DryRunResponse {
  /** `local`, `cloud`, or `deny` when the policy refuses the request. */
  route: Location | "deny";
  /** The model that would answer first; null for a deny. */
  model: string | null;
  /** The rule that fired (`default` when none did). */
  rule: string;
  /**
   * Why each earlier rule did not match (`<rule>: <condition that failed>`), then what shaped the
   * outcome: skipped targets, sticky session, caps, the deny.
   */
  reasons: string[];
  /** The rest of the chain, in order, then the run-time last resorts (`degrade`). */
  fallbacks: string[];
  intent: string | null;
  confidence: number | null;
  unsure: boolean | null;
  features: RequestFeatures;
  pii: PiiFindings & { action: PiiRouteAction | null };
}

export function dryRunResponse(result: ExplainResult): DryRunResponse {
  const { decision, features } = result;
  const reasons = [...decision.reasons];
  for (const skip of decision.skipped) reasons.push(`skipped ${skip.model}: ${skip.reason}`);
  if (decision.sticky.applied && decision.kind === "route") reasons.push(`sticky session: stays on ${decision.model}`);
  if (decision.sticky.note) reasons.push(decision.sticky.note);
  if (decision.kind === "route") {
    // As the real answer reports it (x-switchyard-fallback): another model than the client asked for answers.
    if (decision.fallbackFrom !== undefined) reasons.push(`fallback from ${decision.fallbackFrom}, the model asked for: its provider is not configured`);
    if (decision.maxTokens !== undefined) reasons.push(`max_tokens capped at ${decision.maxTokens}`);
    if (decision.pii !== "default" && decision.route === "local" && decision.pii !== "keep_local") {
      // A rule's pii action is applied at cloud egress only: on the host, pii.yaml's local rules apply.
      reasons.push(`pii action for cloud targets: ${decision.pii} (on the host, pii.yaml's local rules apply)`);
    } else if (decision.pii !== "default") {
      reasons.push(`pii action for this route: ${decision.pii}`);
    }
  } else {
    const denial = result.denial ?? decision;
    reasons.push(`denied with ${denial.status} ${denial.code}: ${denial.message}`);
  }
  const fallbacks =
    decision.kind === "route"
      ? [...decision.fallbacks, ...[decision.degrade.local, decision.degrade.cloud].filter((m): m is string => m !== undefined && !decision.fallbacks.includes(m))]
      : [];
  return {
    route: decision.kind === "route" ? decision.route : "deny",
    model: decision.kind === "route" ? decision.model : null,
    rule: decision.rule,
    reasons,
    fallbacks,
    intent: features.intent ?? null,
    confidence: features.confidence ?? null,
    unsure: features.unsure ?? null,
    // The model name quoted as everywhere else the client's text is quoted back (src/api/echo.ts).
    features: { ...features, requestedModel: echo(features.requestedModel) },
    pii: { ...result.pii, action: decision.kind === "route" ? decision.pii : null },
  };
}

/** The stages an `ExplainFn` built by `createExplain` runs; every one is optional. */
export interface ExplainStages {
  /** The policy to decide with, read once per call (e.g. `() => store.snapshot.policy`). */
  policy(): CompiledPolicy;
  /**
   * The header names the features copy (`RequestFeatures.headers`); default: those the policy's rules
   * name (the CLI adds those given on its command line, to show them).
   */
  headerNames?: readonly string[] | undefined;
  /**
   * Classifies the text (by default the last user message); undefined = no classifier. Called only
   * when the decision depends on it, as the gateway classifies.
   */
  classify?: ((text: string, body: ChatCompletionRequest) => Promise<Classification | undefined>) | undefined;
  /** Scans every text of the request for PII. */
  scanPii?: ((texts: string[], body: ChatCompletionRequest) => Promise<PiiFindings>) | undefined;
  promptTokens?: ((body: ChatCompletionRequest) => number) | undefined;
  /** `defaults.local`'s queue and health (`local_queue_*`, `local_healthy`). */
  local?: (() => { queueDepth: number; healthy: boolean }) | undefined;
  /** The in-process models not loaded and working, by id (`RequestFeatures.unhealthyModels`). */
  unhealthyModels?: (() => readonly string[] | undefined) | undefined;
  /** The providers that cannot be called, by id: why (`RequestFeatures.unconfiguredProviders`). */
  unconfiguredProviders?: (() => Readonly<Record<string, string>> | undefined) | undefined;
  budgetExceeded?: ((tenant: string) => boolean | Promise<boolean>) | undefined;
  sticky?: ((ctx: ExplainContext) => StickyState | undefined | Promise<StickyState | undefined>) | undefined;
  /**
   * The refusal a real request meets for this decision before any model is called (for a deny, the
   * error the client gets instead of the policy's, as `denialFor` gives it). A refusal of a route
   * decision makes the `ExplainFn` reject with it, as the gateway's does.
   */
  refusal?: ((body: ChatCompletionRequest, decision: Decision) => GatewayError | undefined) | undefined;
}

/**
 * A straightforward `ExplainFn` from separate stages (used by the CLI; the gateway may use it too).
 * It classifies only where the gateway does (`decisionNeedsClassification`): a request an earlier rule
 * settles has no intent, as in the gateway's dry run and usage record.
 */
export function createExplain(stages: ExplainStages): ExplainFn {
  return async (body, ctx) => {
    const policy = stages.policy();
    const [pii, budgetExceeded, sticky] = await Promise.all([
      stages.scanPii ? stages.scanPii(requestTexts(body), body) : Promise.resolve<PiiFindings>({ types: [] }),
      stages.budgetExceeded?.(ctx.tenant.id) ?? false,
      stages.sticky?.(ctx),
    ]);
    const featuresWith = (classification: Classification | undefined) =>
      featuresFromRequest(body, {
        tenant: ctx.tenant.id,
        header: ctx.header,
        headerNames: stages.headerNames ?? policy.headerNames,
        classification,
        // Sized as the gateway sizes it (what must be sent at least too: older turns can be trimmed).
        ...promptTokenCounts(body, stages.promptTokens?.(body)),
        piiTypes: pii.types,
        local: stages.local?.(),
        unhealthyModels: stages.unhealthyModels?.(),
        unconfiguredProviders: stages.unconfiguredProviders?.(),
        budgetExceeded,
        sticky,
      });
    let features = featuresWith(undefined);
    let decision = decide(features, policy);
    // As the gateway: decided without an intent first, classified only when the outcome could change.
    const session = (ctx.header(SESSION_ID_HEADER) ?? "") !== "" || sticky !== undefined;
    if (stages.classify && decisionNeedsClassification(policy, decision, { session })) {
      features = featuresWith(await stages.classify(lastUserText(body), body));
      decision = decide(features, policy);
    }
    const refusal = stages.refusal?.(body, decision);
    if (!refusal) return { features, decision, pii };
    if (decision.kind === "route") throw refusal;
    return { features, decision, pii, denial: { status: refusal.status, code: refusal.code ?? decision.code, message: refusal.message } };
  };
}
