import type { Deadline } from "../budget.js";
import type { Entity } from "../entity.js";

/**
 * One detector. `scan` appends what it finds to `out` (one shared array per scan, so the hot path does
 * not allocate a result array per recognizer) and calls `deadline.check()` between matches.
 */
export interface Recognizer {
  readonly name: string;
  scan(text: string, out: Entity[], deadline: Deadline): void;
}

/** How often (in matches) a tight loop looks at the clock; `performance.now()` is not free. */
export const CHECK_EVERY = 64;
