import type { Logger } from "pino";
import type { ChatCompletionRequest } from "../api/chat-request.js";
import type { Tenant } from "../auth/api-keys.js";

/** Everything the chat pipeline knows about one request before it decides where it goes. */
export interface ChatRequestContext {
  requestId: string;
  tenant: Tenant;
  body: ChatCompletionRequest;
  /** Request header lookup (lower-case names). */
  header(name: string): string | undefined;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  log: Logger;
  receivedAt: number;
}
