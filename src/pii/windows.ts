/**
 * The stretches of a text scanned again around its escapes (decoded ones: decode.ts; line escapes read as
 * white space: engine.ts). An edge inside a value cut it in two, and a part could be found on its own:
 * the last 16 digits of `994111111111111111` pass as a card. So edges move out to white space, at most
 * `limit` units.
 */
const WHITE_SPACE = /\s/;

/** Whether a stretch starting at `at` starts where the widening stops: the text's start, or after white space. */
export function startsAtWhiteSpace(text: string, at: number): boolean {
  return at <= 0 || WHITE_SPACE.test(text[at - 1]!);
}

/** `at` moved in `step`'s direction to a white-space character (or the text's edge), at most `limit` units. */
export function widenedToWhiteSpace(text: string, at: number, step: 1 | -1, limit: number): number {
  for (let moved = 0; moved < limit; moved++) {
    if (at <= 0 || at >= text.length) return Math.max(0, Math.min(text.length, at));
    if (WHITE_SPACE.test(text[step === 1 ? at : at - 1]!)) return at;
    at += step;
  }
  return at;
}

/**
 * Adds `[from, to]` to `windows`, which are in order of their starts and `from` is not before the last
 * one's: joined to the last window when they overlap, touch, or are at most `gap` units apart.
 */
export function addWindow(windows: Array<[number, number]>, from: number, to: number, gap = 0): void {
  const last = windows[windows.length - 1];
  if (last && from <= last[1] + gap) last[1] = Math.max(last[1], to);
  else windows.push([from, to]);
}

/**
 * `windows` (in order, apart) with each edge widened to white space, at most `limit` units, merged where
 * they then meet. An edge stops where the window next to it starts or ends, since they merge there: each
 * unit between windows is walked at most twice, so a long `limit` costs at most a walk over the text.
 */
export function windowsToWhiteSpace(text: string, windows: ReadonlyArray<readonly [number, number]>, limit: number): Array<[number, number]> {
  const widened: Array<[number, number]> = [];
  for (const [i, [from, to]] of windows.entries()) {
    const floor = widened.length > 0 ? widened[widened.length - 1]![1] : 0;
    const ceiling = i + 1 < windows.length ? windows[i + 1]![0] : text.length;
    const start = from <= floor ? from : widenedToWhiteSpace(text, from, -1, Math.min(limit, from - floor));
    const end = to >= ceiling ? to : widenedToWhiteSpace(text, to, 1, Math.min(limit, ceiling - to));
    addWindow(widened, start, end);
  }
  return widened;
}
