/**
 * The stretches of a text scanned again around its escapes (decoded ones: decode.ts; line escapes read as
 * white space: engine.ts). An edge inside a value cut it in two, and a part could be found on its own:
 * the last 16 digits of `994111111111111111` pass as a card. So edges move out to white space, at most
 * `limit` units.
 */
const WHITE_SPACE = /\s/;

/** `at` moved in `step`'s direction to a white-space character (or the text's edge), at most `limit` units. */
export function widenedToWhiteSpace(text: string, at: number, step: 1 | -1, limit: number): number {
  for (let moved = 0; moved < limit; moved++) {
    if (at <= 0 || at >= text.length) return Math.max(0, Math.min(text.length, at));
    if (WHITE_SPACE.test(text[step === 1 ? at : at - 1]!)) return at;
    at += step;
  }
  return at;
}

/** `windows` (in order, apart) with each edge widened to white space, merged where they then meet. */
export function windowsToWhiteSpace(text: string, windows: ReadonlyArray<readonly [number, number]>, limit: number): Array<[number, number]> {
  const widened: Array<[number, number]> = [];
  for (const [from, to] of windows) {
    const start = widenedToWhiteSpace(text, from, -1, limit);
    const end = widenedToWhiteSpace(text, to, 1, limit);
    const last = widened[widened.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else widened.push([start, end]);
  }
  return widened;
}
