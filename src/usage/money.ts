/**
 * Money is summed as integer nano-dollars (1e-9 USD) wherever it is aggregated, so many replicas
 * adding to one Redis counter never drift. Micro-dollars would be too coarse: a 20-token gpt-4o-mini
 * call costs about $0.000003, and rounding it to whole micro-dollars would misstate it by up to 17 %.
 * A signed 64-bit Redis integer holds $9.2 billion of nano-dollars; JavaScript numbers stay exact up
 * to $9 million per counter, far above one bucket's or one tenant-month's spend.
 */
export const NANOS_PER_USD = 1_000_000_000;

export const usdToNanos = (usd: number): number => Math.round(usd * NANOS_PER_USD);
export const nanosToUsd = (nanos: number): number => nanos / NANOS_PER_USD;
