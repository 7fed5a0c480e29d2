/**
 * The server's time zone for the tests of a describe block: what `Date.parse` and friends read a
 * local date-time in, so a test can prove a value does not depend on it.
 */
import { afterEach, beforeEach } from "vitest";

/** Sets `TZ` to `zone` before each test of the enclosing block and puts the old value back after it. */
export function inServerTimeZone(zone: string): void {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TZ;
    process.env.TZ = zone;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
