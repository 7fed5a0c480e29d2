/**
 * Numbers read from environment variables, whose problems say what is expected: zod's own message for
 * `PORT=abc` is "expected number, received NaN", which tells an operator nothing about the variable.
 *
 * Only decimal digits count (spaces around them allowed): `Number()` reads a blank value as 0, so
 * `PORT=" "` listened on a random port, and it reads `0x1F90` and `1e4` as numbers no operator meant.
 */
import { z } from "zod";

/** An optional sign and decimal digits, nothing else (no hex, exponent or blank). */
const DECIMAL_INTEGER = /^[+-]?\d+$/;
/** As `DECIMAL_INTEGER`, with an optional fraction (`0.5`, `.5`, `2.`). */
const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The variable's text, trimmed, when it is written as `pattern` says; then read as a number. */
const decimalText = (pattern: RegExp, message: string) => z.string({ error: message }).trim().regex(pattern, message);

/**
 * A whole number in [min, max] from a variable's text; `message` replaces the default problem text.
 *
 * @example
 * wholeNumber(0, 65535).parse("8080"); // 8080
 * wholeNumber(0, 65535).parse("abc");  // throws: "must be a whole number from 0 to 65535"
 * wholeNumber(0, 65535).parse(" ");    // throws too (Number(" ") is 0)
 */
export function wholeNumber(min: number, max?: number, message = max === undefined ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`) {
  const bounded = z.coerce.number<string>({ error: message }).int(message).min(min, message);
  return decimalText(DECIMAL_INTEGER, message).pipe(max === undefined ? bounded : bounded.max(max, message));
}

/** A number in [min, max] (fractions allowed) from a variable's text. */
export function numberBetween(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return decimalText(DECIMAL_NUMBER, message).pipe(z.coerce.number<string>({ error: message }).min(min, message).max(max, message));
}

/**
 * The longest wait a Node timer holds (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms, so
 * a shutdown deadline "as long as it takes" would stop every request at once, and a Redis time bound
 * that long would time every command out at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

const durationMessage = (min: number) => `must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days, the longest wait a timer holds)`;

/** A duration in ms read from the environment, `min` to `MAX_TIMER_MS`. */
export function durationMs(min: number) {
  return wholeNumber(min, MAX_TIMER_MS, durationMessage(min));
}

/** A duration in ms from a YAML file (a number already), `min` to `MAX_TIMER_MS`. */
export function yamlDurationMs(min: number) {
  const message = durationMessage(min);
  return z.int(message).min(min, message).max(MAX_TIMER_MS, message);
}
