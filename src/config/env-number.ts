/**
 * Numbers read from environment variables, whose problems say what is expected: zod's own message for
 * `PORT=abc` is "expected number, received NaN", which tells an operator nothing about the variable.
 */
import { z } from "zod";

/**
 * A whole number in [min, max] from a variable's text.
 *
 * @example
 * wholeNumber(0, 65535).parse("8080"); // 8080
 * wholeNumber(0, 65535).parse("abc");  // throws: "must be a whole number from 0 to 65535"
 */
export function wholeNumber(min: number, max?: number) {
  const message = max === undefined ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`;
  const bounded = z.coerce.number({ error: message }).int(message).min(min, message);
  return max === undefined ? bounded : bounded.max(max, message);
}

/** A number in [min, max] (fractions allowed) from a variable's text. */
export function numberBetween(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).min(min, message).max(max, message);
}
