/**
 * Whether a decision depends on the classifier. Classifying costs more than everything else the
 * router does, and many requests are decided without it (an explicit model, secrets kept local, a
 * tenant over budget), so the pipeline decides first without an intent and classifies only when
 * the outcome could change.
 */
import { decidedFromRule, type CompiledPolicy } from "./compile.js";
import type { Decision } from "./decide.js";

export function decisionNeedsClassification(policy: CompiledPolicy, decision: Decision, options: { session: boolean }): boolean {
  const fired = decision.ruleIndex;
  // A rule at or after the first classifier condition could have matched differently with an intent.
  if (decidedFromRule(policy, decision, policy.firstIntentRule)) return true;
  const action = fired < 0 ? policy.defaultAction : policy.rules[fired]?.action;
  if (action?.targets.some((target) => target.type === "intent_default")) return true;
  // Sticky sessions remember the escalating intent and end when it changes; pinned decisions leave
  // the session as it was.
  return options.session && policy.sticky !== undefined && action?.pin !== true;
}
