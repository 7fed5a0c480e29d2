/**
 * The HTTP headers of conversation context, in one place so the pipeline, the routes and the docs
 * agree on their spelling.
 */

/** Request: the session to load and extend. */
export const SESSION_ID_HEADER = "x-session-id";

/** Response: `degraded` when the store was unavailable and the request used only what it carried. */
export const CONTEXT_STATUS_HEADER = "x-switchyard-context";

/** Response: how many messages (oldest first) did not fit the model's context window. */
export const CONTEXT_DROPPED_HEADER = "x-switchyard-context-dropped";
