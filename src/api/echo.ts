/**
 * How error messages quote what a client sent (a model name, a field's path): enough to recognise it,
 * never as large as the input that was refused.
 */

/** Longest client text an error message quotes whole. */
export const MAX_ECHO_CHARS = 100;

/**
 * `text` whole when it is at most `max` characters, else its first `max` and "…".
 *
 * @example echo("gpt-4o") // "gpt-4o"; echo("m".repeat(5000)) // 100 "m"s and "…"
 */
export function echo(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  // A cut between the halves of a surrogate pair would leave a lone surrogate, which is no text.
  const last = text.charCodeAt(max - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}
