/**
 * Usage records as CSV for finance tools (RFC 4180: comma-separated, CRLF line ends, fields quoted
 * when they hold a comma, quote or line break, quotes doubled).
 *
 * Text that a client controls (tenant, session, intent, …) and that starts with `=`, `+`, `-`, `@`,
 * tab or CR is prefixed with `'`, so a spreadsheet opening the export shows it instead of evaluating
 * it as a formula (OWASP's advice against CSV injection). Numbers are written as plain decimals
 * (`decimal`), never prefixed.
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
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  // A plain decimal (a negative saving) is a number to a spreadsheet, never a formula.
  const safe = FORMULA_START.test(value) && !PLAIN_DECIMAL.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvRow = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * A plain decimal with at most `places` decimals, trailing zeros dropped: finance tools that import
 * decimals strictly refuse `6.5e-8`, which is how JavaScript prints a 65-nano-dollar cost.
 *
 * @example
 * decimal(0.000000065, 9); // "0.000000065"
 * decimal(85.61988100000235, 3); // "85.62"
 */
export function decimal(value: number | null, places: number): string | null {
  if (value === null) return null;
  const text = value.toFixed(places).replace(/\.?0+$/, "");
  return text === "-0" ? "0" : text;
}

/** Money to the nano-dollar (amounts are whole nano-dollars), times to the microsecond, confidence to 9 places. */
const MONEY_PLACES = 9;
const MS_PLACES = 3;
const CONFIDENCE_PLACES = 9;

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
    decimal(record.confidence, CONFIDENCE_PLACES),
    record.fallback,
    record.status,
    record.error,
    record.promptTokens,
    record.completionTokens,
    decimal(record.costUsd, MONEY_PLACES),
    decimal(record.baselineCostUsd, MONEY_PLACES),
    decimal(record.savingsUsd, MONEY_PLACES),
    decimal(record.ttftMs, MS_PLACES),
    decimal(record.totalMs, MS_PLACES),
    piiCell(record),
    record.cachedPromptTokens,
  ]);
}
