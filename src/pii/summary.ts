import type { PiiAction } from "./policy/schema.js";

/** What the PII stage did to a request: types, actions and counts, never values. */
export interface PiiSummaryEntry {
  type: string;
  action: PiiAction;
  count: number;
}

export class SummaryTally {
  readonly #counts = new Map<string, PiiSummaryEntry>();
  #field: string | null = "messages";
  #blockedIn: string | null | undefined;

  /** The request field whose findings are counted next (null: one the gateway does not know). */
  within(field: string | null): void {
    this.#field = field;
  }

  /** The field of the first finding that was blocked, for the refusal's `param`; null when it has no name. */
  get blockedIn(): string | null {
    return this.#blockedIn ?? null;
  }

  add(type: string, action: PiiAction): void {
    if (action === "block" && this.#blockedIn === undefined) this.#blockedIn = this.#field;
    const key = `${type}\u0000${action}`;
    const entry = this.#counts.get(key);
    if (entry) entry.count++;
    else this.#counts.set(key, { type, action, count: 1 });
  }

  typesWith(action: PiiAction): string[] {
    return [...new Set([...this.#counts.values()].filter((e) => e.action === action).map((e) => e.type))].sort();
  }

  entries(): PiiSummaryEntry[] {
    return [...this.#counts.values()].sort((a, b) => a.type.localeCompare(b.type) || a.action.localeCompare(b.action));
  }
}

/**
 * A response-header value for the summary, e.g. `EMAIL_ADDRESS=pseudonymize:2, SECRET=block:1`.
 *
 * @example c.header("x-switchyard-pii", formatPiiSummary(outcome.summary));
 */
export function formatPiiSummary(summary: readonly PiiSummaryEntry[]): string {
  return summary.map((e) => `${e.type}=${e.action}:${e.count}`).join(", ");
}
