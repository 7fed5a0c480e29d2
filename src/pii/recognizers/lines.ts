/**
 * The line around a finding, where recognizers look for what it stands in (`const` before a key, "test"
 * near a card). A reach bounds how far back they look, so a scan stays linear in a text of one huge line.
 */

/** The text from the start of `index`'s line (at most `reach` characters back) up to `index`. */
export function lineBefore(text: string, index: number, reach = Infinity): string {
  // Only the window is searched for the line's start: lastIndexOf on the whole text would walk back to
  // its start on every call, quadratic in a text of one huge line.
  const window = text.slice(Math.max(0, index - reach), index);
  return window.slice(window.lastIndexOf("\n") + 1);
}
