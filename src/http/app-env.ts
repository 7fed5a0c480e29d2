import type { Logger } from "pino";
import type { Tenant } from "../auth/api-keys.js";

/** Per-request values the middleware chain hands to route handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenant: Tenant;
    log: Logger;
  };
}
