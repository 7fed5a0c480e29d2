/**
 * JSON, JavaScript and Python strings write a line break or tab as `\n`, `\r` or `\t`, and a model
 * reads the white space: in `"Best,\nMaria Gonzalez"` a name signs a letter. As written, the escape's
 * letter is glued to the next word ("nMaria"), and recognizers made for prose find no name, address or
 * phone number there. This reading puts the white space in the escape's place, in as many characters,
 * so what is found in it needs no mapping back: its offsets are the text's.
 */

/**
 * An escape before what a value can start with (a capital, a digit, a `+`): before lower-case words
 * (`\nfor`, code's `"\n"` and `%d\n`) the reading would only cost a second scan. Taken from the first
 * backslash of a run (the lookbehind): JSON inside a JSON string writes `\\n`, and a run tried from
 * each of its backslashes would cost steps quadratic in it.
 */
const GLUED_ESCAPE = /(?<!\\)\\+([nrt])(?=[A-Z0-9+])/g;
const WHITE_SPACE: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t" };

/**
 * `text` with each line-break or tab escape glued to a value read as the white space it stands for,
 * in as many characters; undefined when it holds none.
 *
 * @example withLineEscapesRead(String.raw`Best,\nMaria`) // "Best, \nMaria" (the same length)
 */
export function withLineEscapesRead(text: string): string | undefined {
  if (!text.includes("\\")) return undefined;
  let changed = false;
  const read = text.replace(GLUED_ESCAPE, (escape: string, letter: string) => {
    changed = true;
    return " ".repeat(escape.length - 1) + WHITE_SPACE[letter]!;
  });
  return changed ? read : undefined;
}
