/**
 * Waiting for something a test cannot await directly (a file watch firing, a store reloading): poll,
 * never a fixed sleep, and fail with a clear error past a deadline.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves once `check()` holds; throws "condition not reached in time" after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 8_000, intervalMs = 25): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(intervalMs);
  }
}
