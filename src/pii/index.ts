/**
 * The PII stage's public surface, for the composition root and the pipeline.
 *
 * @example
 * const policy = await loadPiiPolicy(piiPolicyPath(config.policyDir));
 * const engine = createPiiEngine(policy);
 * const sanitizer = createSanitizer({ policy, engine, env: process.env });
 */
export { PiiScanError, deadlineIn, type Deadline, type ScanFailureReason } from "./budget.js";
export { cloudSafeWithoutVendorFields, withHistory, type CloudSafe, type CloudSafeMessages, type CloudSafeRequest } from "./cloud-safe.js";
export { createPiiEngine, type PiiEngine, type PiiEngineOptions } from "./engine.js";
export { BUILTIN_ENTITY_TYPES, EntitySchema, type BuiltinEntityType, type Entity } from "./entity.js";
export { loadPiiPolicy, parsePiiPolicy, piiPolicyPath } from "./policy/load.js";
export { actionFor, type Destination, type PiiAction, type PiiPolicy } from "./policy/schema.js";
export { createStreamRestorer, restore, restoreToolCall, type RestoreOptions, type StreamRestorer } from "./restore.js";
export { createSanitizer, type CloudOutcome, type LocalOutcome, type SanitizeOptions, type Sanitizer } from "./sanitize.js";
export { formatPiiSummary, type PiiSummaryEntry } from "./summary.js";
export { PseudonymVault, vaultFromJSON, vaultToJSON } from "./vault.js";
