import type { Logger } from "pino";
import type { Tenant } from "../auth/api-keys.js";
import type { StreamEnd } from "./sse.js";

/** Per-request values the middleware chain hands to route handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenant: Tenant;
    log: Logger;
    /** How a streamed answer ended, set by the route once its 200 went out (the access log's `streamEnd`). */
    streamEnd?: StreamEnd;
  };
}
