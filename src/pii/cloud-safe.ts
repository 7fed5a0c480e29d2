/**
 * The egress chokepoint. Cloud providers accept only `CloudSafeRequest`, and the only code that makes
 * one is the sanitizer in this folder (the brand's symbol is never exported), so a code path that
 * forgets to sanitize does not compile.
 */
import { withoutVendorFieldsAt, type ChatCompletionRequest, type ChatMessage } from "../api/chat-request.js";

declare const cloudSafe: unique symbol;

export type CloudSafe<T> = T & { readonly [cloudSafe]: true };
export type CloudSafeRequest = CloudSafe<ChatCompletionRequest>;
export type CloudSafeMessages = CloudSafe<readonly ChatMessage[]>;

/** Only for the sanitizer, after every text in `value` has gone through the cloud policy. */
export const markCloudSafe = <T>(value: T): CloudSafe<T> => value as CloudSafe<T>;

/**
 * The request with sanitized conversation history inserted after its leading system/developer
 * messages; both must come from the same `sanitizeForCloud` call so they share placeholders.
 */
export function withHistory(request: CloudSafeRequest, history: CloudSafeMessages): CloudSafeRequest {
  if (history.length === 0) return request;
  let at = 0;
  while (at < request.messages.length && ["system", "developer"].includes(request.messages[at]!.role)) at++;
  const messages = [...request.messages.slice(0, at), ...history, ...request.messages.slice(at)];
  return markCloudSafe({ ...request, messages });
}

/**
 * The request with the calls of each message `at` lists without their vendor fields
 * (`withoutVendorFieldsAt`): still cloud-safe, as leaving fields out adds nothing to sanitize.
 */
export function cloudSafeWithoutVendorFields(request: CloudSafeRequest, at: readonly number[]): CloudSafeRequest {
  return markCloudSafe(withoutVendorFieldsAt(request, at));
}
