/**
 * The line around a finding, where recognizers look for what it stands in (`const` before a key, "test"
 * near a card). A reach bounds how far back they look, so a scan stays linear in a text of one huge line.
 */

/** The text from the start of `index`'s line (at most `reach` characters back) up to `index`. */
export function lineBefore(text: string, index: number, reach = Infinity): string {
  return text.slice(Math.max(text.lastIndexOf("\n", index - 1) + 1, index - reach), index);
}
