/**
 * Whether a decision depends on the PII scan's entity types: only when the rule that fired, or one
 * before it that did not, reads `pii_found` (or no rule fired and one does). Scanning the
 * conversation as the cloud would receive it is the costliest step before a local answer's first
 * token, and a request decided on an earlier rule (a client naming its model, a spent budget) never
 * needs it; a cloud call still scans what it sends (see prepare.ts).
 */
import { decidedFromRule, type CompiledPolicy } from "./compile.js";
import type { Decision } from "./decide.js";

export function decisionNeedsPiiTypes(policy: CompiledPolicy, decision: Decision): boolean {
  return decidedFromRule(policy, decision, policy.firstPiiRule);
}
