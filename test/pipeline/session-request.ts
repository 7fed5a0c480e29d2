/**
 * A chat request of one session as the pipeline's context stages (load, save) get it: model `cloud`,
 * the session in `x-session-id`, a silent log.
 */
import pino from "pino";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { SESSION_ID_HEADER } from "../../src/context/headers.js";
import type { ChatRequestContext } from "../../src/pipeline/chat-request-context.js";

export function sessionRequest(o: { requestId: string; tenantId: string; sessionId: string; messages: ChatMessage[] }): ChatRequestContext {
  return {
    requestId: o.requestId,
    tenant: { id: o.tenantId },
    body: { model: "cloud", messages: o.messages },
    header: (name) => (name === SESSION_ID_HEADER ? o.sessionId : undefined),
    signal: new AbortController().signal,
    log: pino({ level: "silent" }),
    receivedAt: Date.now(),
  };
}
