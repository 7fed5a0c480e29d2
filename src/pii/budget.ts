/**
 * Scans run synchronously on the request path, so a pathological input must not stall the event loop:
 * every recognizer checks the deadline between matches and the scan aborts with a typed error, which the
 * sanitizer turns into a fail-closed outcome.
 */
export type ScanFailureReason = "budget_exceeded" | "text_too_long" | "recognizer_error";

export class PiiScanError extends Error {
  override name = "PiiScanError";
  constructor(
    readonly reason: ScanFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Deadline {
  /** Throws `PiiScanError("budget_exceeded")` once the budget is spent. */
  check(): void;
}

/** Clocks in milliseconds: `wall` as `performance.now`, `cpu` the process's CPU time. */
export interface ScanClocks {
  wall: () => number;
  cpu: () => number;
}

/**
 * How long past its budget, in wall time, a scan the host starves of CPU may still run: a fixed grace,
 * not a multiple of the budget, since the scan holds the event loop meanwhile (a hostile text on a host
 * lending the process a quarter of a core stalls every request for budget + grace, not 4 × budget).
 */
export const STARVED_GRACE_MS = 250;

const processClocks: ScanClocks = {
  wall: performance.now.bind(performance),
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

/**
 * A deadline `budgetMs` from now, spent when the scan has taken that long in wall time AND the
 * process has had that much CPU time since. A text that costs the budget fails closed as before, but a
 * short one on a host that lends the process little CPU (a container throttled at its CPU limit, a
 * saturated machine: ~10 ms of work took 250+ ms and was refused) is not refused for waiting. CPU time
 * is the whole process's (Node has no per-thread clock before v23.9), so other threads' work only
 * brings the deadline back to the wall-clock one, never later; `STARVED_GRACE_MS` past the budget in
 * wall time it is spent whatever the CPU clock says. `clocks` as one function: both read from it.
 *
 * @example const deadline = deadlineIn(250); for (const match of matches) { deadline.check(); … }
 */
export function deadlineIn(budgetMs: number, clocks: ScanClocks | (() => number) = processClocks): Deadline {
  const { wall, cpu } = typeof clocks === "function" ? { wall: clocks, cpu: clocks } : clocks;
  const started = wall();
  const cpuAt = cpu() + budgetMs;
  const hardAt = started + budgetMs + STARVED_GRACE_MS;
  // `check` runs between matches; past the wall budget the CPU clock (a system call) is read at most
  // once per wall-clock millisecond.
  let softAt = started + budgetMs;
  return {
    check() {
      const now = wall();
      if (now <= softAt) return;
      if (now > hardAt || cpu() > cpuAt) throw new PiiScanError("budget_exceeded", `PII scan exceeded its ${budgetMs} ms budget`);
      softAt = now + 1;
    },
  };
}

/** For callers that scan with no time limit (the CLI on a file, tests of recognizer logic). */
export const NO_DEADLINE: Deadline = { check() {} };
