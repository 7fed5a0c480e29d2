/**
 * Stage 2: what the request is. Gathers what the routing policy looks at into `RequestFeatures`; the
 * two costly parts are added only when a decision depends on them: the PII scan of the whole
 * conversation (as it would leave for the cloud, so a cloud answer reuses it) and the intent.
 */
import type { IntentClassifier, IntentPrediction } from "../../../classifiers/index.js";
import { selectClassifierText, type ClassifierTextOptions } from "../../../classifiers/index.js";
import type { ModelRegistry } from "../../models/registry.js";
import type { CloudOutcome, Sanitizer } from "../../pii/index.js";
import type { CompiledPolicy } from "../../policy/compile.js";
import { featuresFromRequest, promptTokenCounts, type RequestFeatures } from "../../policy/features.js";
import type { ProviderSet } from "../../providers/provider-set.js";
import type { Metrics } from "../../usage/metrics.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import type { Conversation } from "./conversation.js";

export interface Analysis {
  /** The conversation sanitized for the cloud with the PII policy's own actions, scanned on first use. */
  cloudScan(): CloudOutcome;
  /**
   * Features without the classifier's output or the PII types (`withClassification` and
   * `withPiiTypes` add them when the policy needs them).
   */
  features: RequestFeatures;
}

export interface AnalyzeDeps {
  sanitizer: Sanitizer;
  classifier: IntentClassifier | undefined;
  classifierText: ClassifierTextOptions;
  registry: ModelRegistry;
  providers: ProviderSet;
  metrics: Metrics;
}

export interface BudgetView {
  exceeded: boolean;
}

export function analyze(
  ctx: ChatRequestContext,
  conversation: Conversation,
  policy: CompiledPolicy,
  budget: BudgetView,
  deps: AnalyzeDeps,
): Analysis {
  let scan: CloudOutcome | undefined;
  const cloudScan = () => (scan ??= deps.sanitizer.sanitizeForCloud(conversation.request, { vault: conversation.state.vault, tenant: ctx.tenant.id }));
  const features = featuresFromRequest(conversation.request, {
    tenant: ctx.tenant.id,
    header: ctx.header,
    headerNames: policy.headerNames,
    ...promptTokenCounts(conversation.request),
    local: localHealth(deps),
    ...inProcessHealth(deps),
    unconfiguredProviders: deps.providers.unconfigured,
    budgetExceeded: budget.exceeded,
    sticky: conversation.state.sticky,
  });
  return { cloudScan, features };
}

/**
 * The pseudo-type the sanitizer tallies for an image, audio or file part when pii.yaml's
 * `non_text_content.cloud` is not `allow` (src/pii/walker.ts): it is what the PII policy does with
 * content it cannot scan, not personal data found in it.
 */
const NON_TEXT_CONTENT = "NON_TEXT_CONTENT";

/**
 * The entity types the cloud scan found (none when it failed: fail-closed happens at egress). Not
 * `NON_TEXT_CONTENT`: an image alone is no PII for `pii_found` (it stays in the request's PII summary
 * and `x-switchyard-pii`, and pii.yaml still keeps it local or blocks it at egress).
 */
function piiTypesOf(scan: CloudOutcome): string[] {
  if (scan.kind === "failed") return [];
  return [...new Set(scan.summary.map((entry) => entry.type).filter((type) => type !== NON_TEXT_CONTENT))];
}

/** The features with the PII scan's entity types. */
export function withPiiTypes(features: RequestFeatures, analysis: Analysis): RequestFeatures {
  return { ...features, piiTypes: piiTypesOf(analysis.cloudScan()) };
}

/** Runs the classifier on the conversation and returns the features with its output (unchanged without one). */
export async function withClassification(
  features: RequestFeatures,
  conversation: Conversation,
  deps: AnalyzeDeps,
): Promise<{ features: RequestFeatures; classification: IntentPrediction | undefined }> {
  if (!deps.classifier) return { features, classification: undefined };
  // Blank text is classified too: every classifier answers it as no evidence (unsure), as it does
  // punctuation alone, so the policy's `unsure` rules decide, not its no-classifier fallback.
  const text = selectClassifierText(conversation.request.messages, deps.classifierText);
  const startedAt = performance.now();
  const classification = await deps.classifier.classify(text);
  deps.metrics.observeClassifier(performance.now() - startedAt);
  return { features: withPrediction(features, classification), classification };
}

/**
 * The features with the classifier's answer. Without evidence (nothing readable in the text) the
 * request is unsure but has no intent or confidence: the tie's first label is no finding, so intent,
 * `intent_route` and `confidence_*` conditions must not hold and usage must not count it under a label.
 */
function withPrediction(features: RequestFeatures, prediction: IntentPrediction): RequestFeatures {
  const { intent: _intent, confidence: _confidence, ...rest } = features;
  if (prediction.noEvidence) return { ...rest, unsure: true };
  return { ...rest, intent: prediction.intent, confidence: prediction.confidence, unsure: prediction.unsure };
}

/** `defaults.local`'s queue and health, for the policy's `local_queue_*` and `local_healthy` conditions. */
function localHealth(deps: AnalyzeDeps): { queueDepth: number; healthy: boolean } {
  const local = deps.registry.defaultLocal;
  if (!local) return { queueDepth: 0, healthy: false };
  const status = deps.providers.forModel(local).provider.status(local);
  return { queueDepth: status.queueDepth ?? 0, healthy: status.state === "ready" };
}

/**
 * The in-process models not loaded and working, each by its own state: a model that failed to load
 * must not take down another that a rule names, nor a loading one pass for ready beside a healthy
 * `defaults.local`. Undefined (nothing allocated) when all are ready.
 */
/** The in-process models not loaded and working, and of those the ones still loading. */
function inProcessHealth(deps: AnalyzeDeps): { unhealthyModels?: string[]; loadingModels?: string[] } {
  const health: { unhealthyModels?: string[]; loadingModels?: string[] } = {};
  for (const model of deps.registry.models.values()) {
    if (model.path === undefined) continue;
    const state = deps.providers.forModel(model).provider.status(model).state;
    if (state === "ready") continue;
    (health.unhealthyModels ??= []).push(model.id);
    if (state === "loading") (health.loadingModels ??= []).push(model.id);
  }
  return health;
}
