import type { Context } from "hono";
import { nodeResponse } from "./node-response.js";

/** Whether the client went away before its response was complete (never, outside Node). */
export function clientGone(c: Context): boolean {
  const outgoing = nodeResponse(c);
  return outgoing !== undefined && outgoing.destroyed && !outgoing.writableFinished;
}
