/**
 * The answer's length limit under the one field a server reads (`max_tokens_field` in models.yaml).
 */
import { requestedMaxTokens, type ChatCompletionRequest } from "../../api/chat-request.js";

export type LimitField = "max_tokens" | "max_completion_tokens";

/** `request` with the limit in force (the one the gateway reads, `requestedMaxTokens`) under `field` only. */
export function withLimitField<R extends ChatCompletionRequest>(request: R, field: LimitField | undefined): R {
  if (field === undefined) return request;
  const limit = requestedMaxTokens(request);
  if (limit === undefined) return request;
  const { max_tokens: _tokens, max_completion_tokens: _completion, ...rest } = request;
  return { ...rest, [field]: limit } as R;
}
