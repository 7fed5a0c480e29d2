/**
 * Shadow mode's stage, after the decision: the candidate policy decides on what it would have seen
 * as the active policy, and the two decisions are compared, once per served request. The active
 * decision, its features and what is recorded of the request stay as they were: the candidate's
 * extra inputs go into a copy of the features only it reads.
 */
import type { Decision } from "../../policy/decide.js";
import { requestHeaders, type RequestFeatures } from "../../policy/features.js";
import type { ShadowPolicy } from "../../policy/shadow.js";
import type { ChatRequestContext } from "../chat-request-context.js";
import { withClassification, type AnalyzeDeps } from "./analyze.js";
import type { Conversation } from "./conversation.js";

export interface ShadowInputs {
  /** The active decision, final. */
  decision: Decision;
  /** The features it was decided on (the PII scan's types included: shadow mode always scans). */
  features: RequestFeatures;
  /** Whether the classifier already ran for the active policy (its intent is then in `features`). */
  classified: boolean;
  conversation: Conversation;
}

/**
 * Compares the active decision with the candidate's. The features get the request headers the
 * candidate's rules name (only the active policy's were copied), and the classifier runs for the
 * candidate when its decision could depend on the intent and the active policy did not classify. If
 * it fails, the request is served all the same and not compared: a comparison without the intent
 * would count a wrong answer as a right one.
 *
 * @example
 * await compareWithShadow(policies.shadow, ctx, { decision, features, classified, conversation }, deps);
 */
export async function compareWithShadow(shadow: ShadowPolicy | undefined, ctx: ChatRequestContext, inputs: ShadowInputs, deps: AnalyzeDeps): Promise<void> {
  const candidate = shadow?.snapshot;
  if (!shadow || !candidate) return;
  let features = withHeaders(inputs.features, candidate.policy.headerNames, ctx);
  if (!inputs.classified && deps.classifier && shadow.needsClassification(features, { session: inputs.conversation.scope !== undefined }, candidate)) {
    try {
      ({ features } = await withClassification(features, inputs.conversation, deps));
    } catch (error) {
      ctx.log.error({ err: error, role: "shadow" }, "shadow policy: the classifier failed; this request is not compared");
      return;
    }
  }
  shadow.compare(inputs.decision, features, candidate);
}

/** `features` with the named request headers too (a copy; the same object when none is missing). */
function withHeaders(features: RequestFeatures, names: readonly string[], ctx: ChatRequestContext): RequestFeatures {
  const missing = names.filter((name) => !Object.hasOwn(features.headers, name));
  if (missing.length === 0) return features;
  return { ...features, headers: { ...features.headers, ...requestHeaders(ctx.header, missing) } };
}
