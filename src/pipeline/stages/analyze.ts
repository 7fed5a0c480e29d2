/**
 * Stage 2: what the request is. Gathers what the routing policy looks at into `RequestFeatures`; the
 * two costly parts are added only when a decision depends on them: the PII scan of the whole
 * conversation (as it would leave for the cloud, so a cloud answer reuses it) and the intent.
 */
import type { IntentClassifier, IntentPrediction } from "../../../classifiers/index.js";
import { selectClassifierText, type ClassifierTextOptions } from "../../../classifiers/index.js";
import { GatewayError } from "../../errors.js";
import type { ModelEntry, ModelRegistry } from "../../models/registry.js";
import type { CloudOutcome, Sanitizer } from "../../pii/index.js";
import type { CompiledPolicy } from "../../policy/compile.js";
import type { Decision } from "../../policy/decide.js";
import { essentialMessages, featuresFromRequest, promptTokenCounts, type RequestFeatures } from "../../policy/features.js";
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
 * How far above an in-process model's window the estimate may put the essential prompt for that model
 * still to count it with its own tokenizer: a cap on the cost, not a certainty. The estimate is about
 * four characters a token; real tokenizers can fit more (the Llama 2 tokenizer takes runs of dashes or
 * spaces at 2.1-2.4 times fewer tokens than estimated), so a prompt estimated beyond the cap may still
 * fit and is refused all the same. Tokenizing is about linear in the text and blocks the event loop
 * (about 80-200 ms for three windows of 32K tokens, 393,000 characters), so the cap bounds what one
 * request can cost: three windows' worth, beside the window's worth every prompt the model answers is
 * tokenized for anyway. The runtime has no count that stops early (at the window) to make it needless.
 */
export const COUNTED_WINDOWS = 3;

/**
 * The features with the essential prompt (`minPromptTokens`) counted by the tokenizer of each loaded
 * in-process model `decision` skipped for its window alone, within `COUNTED_WINDOWS` of it and not
 * counted yet (`inProcessPromptTokens`); undefined when there is none, so the caller decides again
 * only when a count was added. Counted after a decision, as the PII scan is: a request whose targets
 * fit by the estimate, or name no in-process model (a cloud model, a cloud rule), tokenizes nothing.
 * The estimate alone refused a prompt the model fits: 8,500 characters of plain English, estimated at
 * 2,129 tokens, are 2,004 for stories260K and its 2,048-token window.
 */
export function withInProcessCounts(features: RequestFeatures, decision: Decision, conversation: Conversation, deps: AnalyzeDeps): RequestFeatures | undefined {
  const estimated = features.minPromptTokens ?? features.promptTokens;
  let counts: Record<string, number> | undefined;
  let essential: Conversation["request"] | undefined;
  for (const skip of decision.skipped) {
    if (skip.kind !== "context_window" || (features.inProcessPromptTokens && Object.hasOwn(features.inProcessPromptTokens, skip.model))) continue;
    const model = deps.registry.get(skip.model);
    if (model?.path === undefined || estimated > model.contextWindow * COUNTED_WINDOWS) continue;
    essential ??= { ...conversation.request, messages: essentialMessages(conversation.request.messages) };
    const exact = exactPromptTokens(model, essential, deps);
    if (exact !== undefined) (counts ??= {})[model.id] = exact;
  }
  return counts ? { ...features, inProcessPromptTokens: { ...features.inProcessPromptTokens, ...counts } } : undefined;
}

/**
 * The runtime's count, or undefined when it cannot render the conversation (a GatewayError: nothing
 * for the model to continue): the capability checks and the call itself refuse that, the estimate
 * stands meanwhile.
 */
function exactPromptTokens(model: ModelEntry, request: Conversation["request"], deps: AnalyzeDeps): number | undefined {
  try {
    return deps.providers.exactPromptTokens(model, request);
  } catch (error) {
    if (error instanceof GatewayError) return undefined;
    throw error;
  }
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
