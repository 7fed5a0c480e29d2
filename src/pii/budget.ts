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

export function deadlineIn(budgetMs: number, now: () => number = performance.now.bind(performance)): Deadline {
  const at = now() + budgetMs;
  return {
    check() {
      if (now() > at) throw new PiiScanError("budget_exceeded", `PII scan exceeded its ${budgetMs} ms budget`);
    },
  };
}

/** For callers that scan with no time limit (the CLI on a file, tests of recognizer logic). */
export const NO_DEADLINE: Deadline = { check() {} };
