/**
 * Usage records as CSV for finance tools (RFC 4180: comma-separated, CRLF line ends, fields quoted
 * when they hold a comma, quote or line break, quotes doubled).
 *
 * Text that a client controls (tenant, session, intent, …) and that starts with `=`, `+`, `-`, `@`,
 * tab or CR is prefixed with `'`, so a spreadsheet opening the export shows it instead of evaluating
 * it as a formula (OWASP's advice against CSV injection). Numbers are never altered.
 */
import type { UsageRecord } from "./record.js";

type Cell = string | number | boolean | null;

export const CSV_COLUMNS = [
  "time",
  "request_id",
  "tenant",
  "session",
  "route",
  "model",
  "intent",
  "confidence",
  "fallback",
  "status",
  "error",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "baseline_cost_usd",
  "savings_usd",
  "ttft_ms",
  "total_ms",
  "pii_actions",
  // Added last, so tools that read the export's columns by position keep reading the same ones.
  "cached_prompt_tokens",
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvRow = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(",")}\r\n`;

export const csvHeader = (): string => csvRow(CSV_COLUMNS);

/** `EMAIL_ADDRESS:redact=2;PHONE_NUMBER:mask=1`: one cell, readable, and splittable by tools. */
const piiCell = (record: UsageRecord): string => record.pii.map((p) => `${p.type}:${p.action}=${p.count}`).join(";");

export function recordToCsv(record: UsageRecord): string {
  return csvRow([
    new Date(record.time).toISOString(),
    record.requestId,
    record.tenant,
    record.session,
    record.route,
    record.model,
    record.intent,
    record.confidence,
    record.fallback,
    record.status,
    record.error,
    record.promptTokens,
    record.completionTokens,
    record.costUsd,
    record.baselineCostUsd,
    record.savingsUsd,
    record.ttftMs,
    record.totalMs,
    piiCell(record),
    record.cachedPromptTokens,
  ]);
}
