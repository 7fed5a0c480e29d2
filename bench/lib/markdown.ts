/** Markdown tables for the reports the benchmarks print (and docs/BENCHMARKS.md keeps). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [line(header), line(rule), ...rows.map(line)].join("\n");
}

/** Milliseconds with a precision that still shows sub-millisecond differences. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function signedMs(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return `${value >= 0 ? "+" : "−"}${ms(Math.abs(value))}`;
}

export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
}
