/**
 * The routing-policy engine's public API (reference: docs/POLICIES.md).
 *
 * @example
 * const policies = await PolicyStore.open({ dir, log, registry, labels: () => labels });
 * policies.watch();
 * const { snapshot, decision } = policies.decide(featuresFromRequest(body, { tenant: tenant.id, … }));
 */
export { catalogFromRegistry, type CatalogModel, type PolicyCatalog } from "./catalog.js";
export { compilePolicy, type CompiledPolicy } from "./compile.js";
export { decide, ineligible, type Decision, type DenyDecision, type RouteDecision, type SkippedTarget, type SkipKind, type StickyOutcome } from "./decide.js";
export { createExplain, dryRunResponse, type DryRunResponse, type ExplainContext, type ExplainFn, type ExplainResult, type ExplainStages, type PiiFindings } from "./explain.js";
export {
  FAILURE_KINDS,
  FALLBACK_HEADER,
  POLICY_HEADER,
  failureKindOf,
  fallbackHeaderValue,
  nextTarget,
  readFallbackHeader,
  type Failure,
  type FailureKind,
  type FallbackStep,
} from "./fallback.js";
export {
  RequestFeaturesSchema,
  StickyStateSchema,
  estimatePromptTokens,
  featuresFromRequest,
  lastUserText,
  requestTexts,
  type Classification,
  type FeatureInputs,
  type RequestFeatures,
  type StickyState,
} from "./features.js";
export { parseIntents } from "./check-files.js";
export { compileRoutingText, loadPolicyDir, versionOf, type LoadedPolicy, type LoadPolicyOptions, type PolicyFileInfo } from "./load.js";
export { PII_ROUTE_ACTIONS, RoutingFileSchema, type PiiRouteAction, type RoutingFile } from "./schema.js";
export { outcomeOf, ShadowPolicy, type RulePairCount, type ShadowStats } from "./shadow.js";
export { PolicyStore, type PolicyLoadFailure, type PolicySnapshot, type PolicyStatus, type PolicyStoreOptions, type ReloadResult, type ReloadTrigger, type StoreDecision } from "./store.js";
