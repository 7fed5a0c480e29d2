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

/** Requests of tenant `acme`, numbered in the order they are made (`<prefix>-1`, `<prefix>-2`…). */
export function numberedRequests(prefix: string): (sessionId: string, messages: ChatMessage[]) => ChatRequestContext {
  let made = 0;
  return (sessionId, messages) => sessionRequest({ requestId: `${prefix}-${++made}`, tenantId: "acme", sessionId, messages });
}
