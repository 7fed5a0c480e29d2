/**
 * How deep a file's mappings and lists nest, read from its text before the yaml library parses it.
 * `tooDeep` checks the syntax tree, but building that tree is what a deeply nested file makes slow:
 * the library's parser took 1–2 s on a file 100,000 levels deep (`[[[…`, `- - - …`, `? ? ? …`), on
 * the thread that serves requests, before `tooDeep` refused it at level 65. This scan reads each
 * character about once, tokenizing as the library's lexer does (src/parse/lexer.ts in `yaml`), and
 * finds the same place.
 *
 * It counts only what nests in the library's tree: a `[` or `{` that starts a collection, a block
 * entry (`- `, `? `, `key:`) under an entry whose value is still to come, and compact entries on one
 * line (`- - x`, `- key: x`). It skips what holds no structure (comments, quoted and block scalars,
 * the continuation lines of a plain scalar). Checked against the library on 4,400 real-world YAML
 * files and on random documents, it found as many levels as their trees have, never more — but for
 * content the library silently drops after a `? key`, which is why `parseYamlText` has the library
 * confirm a finding on the text up to it. What it does not count (an alias expanding to the value it
 * names, the nesting the library makes of some broken files) is left to `tooDeep`.
 */
import { MAX_NESTING_DEPTH, NESTING_MESSAGE } from "./nesting-depth.js";

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const BANG = 33;
const DOUBLE_QUOTE = 34;
const HASH = 35;
const PERCENT = 37;
const AMPERSAND = 38;
const SINGLE_QUOTE = 39;
const ASTERISK = 42;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const LESS = 60;
const GREATER = 62;
const QUESTION = 63;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const PIPE = 124;
const CLOSE_BRACE = 125;

/** Space, tab, line break or past the end of the text (`charCodeAt` gives NaN): the lexer's `isEmpty`. */
const isEmpty = (code: number): boolean => code === SPACE || code === LF || code === TAB || code === CR || Number.isNaN(code);
const isFlowIndicator = (code: number): boolean =>
  code === COMMA || code === OPEN_BRACKET || code === CLOSE_BRACKET || code === OPEN_BRACE || code === CLOSE_BRACE;
/** Characters of a `!tag`, as the lexer reads them (`tagChars`, with `%` for its escapes). */
const TAG_CHARS = new Set(Array.from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()%", (c) => c.charCodeAt(0)));

/** How an entry found its collection. */
const FOUND = 0;
/** No collection takes it: a parse error, or content the library drops (`- x` right after `? key`). */
const LOST = 1;
const TOO_DEEP = 2;
type Entered = typeof FOUND | typeof LOST | typeof TOO_DEEP;

export interface TooDeepText {
  /** Where the first mapping or list too deep starts, as `tooDeep` reports it. */
  offset: number;
  /** Where the text can be cut to keep that mapping or list (and everything before it). */
  end: number;
  message: string;
}

/**
 * The first mapping or list this scan finds below `limit` others, or undefined. Linear in the
 * text's length; never parses it.
 *
 * @example
 * tooDeepText(`a: ${"[".repeat(100_000)}`); // { offset: 66, end: 67, message: NESTING_MESSAGE }
 * tooDeepText("a:\n  - b: [1, 2]\n"); // undefined
 */
export function tooDeepText(text: string, limit = MAX_NESTING_DEPTH): TooDeepText | undefined {
  const scan = new NestingScan(text, limit);
  scan.run();
  return scan.tooDeepAt >= 0 ? { offset: scan.tooDeepAt, end: scan.cutAt, message: NESTING_MESSAGE } : undefined;
}

class NestingScan {
  tooDeepAt = -1;
  cutAt = -1;
  /** The open block collections: their columns, and whether each is a list (or a mapping). */
  private readonly columns: number[] = [];
  private readonly lists: boolean[] = [];
  /**
   * What the last line read left: `open` when its last entry's value is still to come (`key:`, `- `
   * at the end of the line), on the lines indented more than `owner`, that entry's column (-1: the
   * document's own node). Not open, such lines continue a scalar, and are skipped.
   */
  private open = true;
  private owner = -1;
  /** The open entry is a `?`, whose key is still to come. */
  private explicitKey = false;
  private lineStart = 0;
  /** Of the line being read: its first entry is under the open entry above (`nested`), an entry came before on it (`compact`), an entry was `LOST`. */
  private nested = false;
  private compact = false;
  private lost = false;

  constructor(
    private readonly text: string,
    private readonly limit: number,
  ) {}

  run(): void {
    const { text } = this;
    const n = text.length;
    let pos = 0;
    let documentStarted = false;
    while (pos < n && this.tooDeepAt < 0) {
      this.lineStart = pos;
      let i = pos;
      while (text.charCodeAt(i) === SPACE) i++;
      // After a tab the lexer reads no `- `, `? ` or `: ` entry.
      let blockEntries = text.charCodeAt(i) !== TAB;
      let keys = true;
      i = this.skipSpaces(i);
      const first = text.charCodeAt(i);
      if (first === LF || first === HASH) {
        pos = this.endOfLine(i) + 1;
        continue;
      }
      if (i >= n) break;
      if (i === pos && this.isDocumentMarker(i)) {
        this.columns.length = 0;
        this.lists.length = 0;
        this.open = true;
        this.owner = -1;
        this.explicitKey = false;
        documentStarted = first === DASH;
        i = this.skipSpaces(i + 3);
        const next = text.charCodeAt(i);
        if (first === DOT || next === LF || next === HASH || i >= n) {
          pos = this.endOfLine(i) + 1;
          continue;
        }
        // The document's node starts on the `---` line: no block collection can.
        blockEntries = false;
        keys = false;
      } else if (i === pos && first === PERCENT && !documentStarted) {
        pos = this.endOfLine(i) + 1; // a directive
        continue;
      }
      documentStarted = true;
      const column = i - pos;
      this.nested = this.open && column > this.owner;
      if (!this.nested && column > this.owner) {
        // A continuation line of a scalar (plain or block), or a parse error: no structure of its own.
        pos = this.endOfLine(i) + 1;
        continue;
      }
      if (!this.nested) {
        const { columns, lists } = this;
        while (columns.length > 0 && (columns[columns.length - 1] ?? -1) > column) {
          columns.pop();
          lists.pop();
        }
      }
      pos = this.line(i, blockEntries, keys);
    }
  }

  /** Reads the line's entries and nodes from its first token at `i`; returns where the next line starts. */
  private line(i: number, blockEntries: boolean, keys: boolean): number {
    const { text } = this;
    let owner = this.owner;
    let valueToCome = true;
    let lastExplicit = false;
    let nodeStart = -1; // where the node's properties (`&anchor`, `!tag`) begin
    this.compact = false;
    this.lost = false;
    for (;;) {
      i = this.skipSpaces(i);
      const code = text.charCodeAt(i);
      if (code === LF || code === HASH || Number.isNaN(code)) break;
      const indicator = (code === DASH || code === QUESTION || code === COLON) && isEmpty(text.charCodeAt(i + 1));
      if (indicator && blockEntries) {
        // A `: ` more indented than a `?` whose key is still to come is that key's value, no new mapping.
        const explicitValue = code === COLON && this.nested && !this.compact && this.explicitKey;
        if (!explicitValue && !this.entry(code === DASH, i, i + 1)) break;
        this.compact = true;
        owner = i - this.lineStart;
        lastExplicit = code === QUESTION;
        nodeStart = -1;
        i++;
        continue;
      }
      if (indicator) {
        i++; // where no entry can start: the parser reports it
        continue;
      }
      if (nodeStart < 0) nodeStart = i;
      if (code === AMPERSAND || code === BANG) {
        i = this.skipProperty(i);
        blockEntries = false;
        continue;
      }
      valueToCome = false;
      // A block scalar's lines are more indented than its entry: skipped as continuation lines.
      if (code === PIPE || code === GREATER) break;
      const nodeLine = this.lineStart;
      let end: number;
      if (code === OPEN_BRACKET || code === OPEN_BRACE) {
        end = this.skipFlow(i, this.lost ? -Infinity : this.columns.length);
        if (this.tooDeepAt >= 0) return text.length;
        // The lexer ends a collection left open at a document marker, which the next line then is.
        if (end === this.lineStart && end > nodeLine) return end;
      } else if (code === SINGLE_QUOTE || code === DOUBLE_QUOTE) {
        end = this.skipQuoted(i);
      } else if (code === ASTERISK) {
        end = this.skipProperty(i);
      } else if (keys) {
        end = this.implicitKeyEnd(i);
        if (end < 0) break; // a plain scalar value, to the end of the line (or of its continuation lines)
      } else {
        break;
      }
      // A node on one line followed by `: ` is a key, whose value follows.
      i = this.skipSpaces(end);
      if (!keys || this.lineStart !== nodeLine || text.charCodeAt(i) !== COLON || !isEmpty(text.charCodeAt(i + 1))) break;
      if (!this.entry(false, nodeStart, i + 1)) break;
      this.compact = true;
      owner = nodeStart - this.lineStart;
      lastExplicit = false;
      keys = false;
      blockEntries = false;
      valueToCome = true;
      nodeStart = -1;
      i++;
    }
    // Nothing below a lost entry is counted either.
    this.open = valueToCome && !this.lost;
    this.owner = owner;
    // A line of properties only (`!tag`, `&anchor`) leaves the entry above as it was.
    this.explicitKey = this.open && (this.compact ? lastExplicit : this.explicitKey);
    return this.endOfLine(i) + 1;
  }

  /** Counts the entry at `offset` (unless the line lost its place); false when it is one too deep. */
  private entry(list: boolean, offset: number, cut: number): boolean {
    if (this.lost) return true;
    const entered = this.enter(list, offset - this.lineStart, offset, cut);
    if (entered === LOST) this.lost = true;
    return entered !== TOO_DEEP;
  }

  /**
   * The collection (`list` or mapping) an entry at `column` belongs to: a new one below the entry
   * above when the line's first entry is `nested`, or below the one before it on the line; else the
   * open one of its column.
   */
  private enter(list: boolean, column: number, offset: number, cut: number): Entered {
    if (this.compact || this.nested) return this.push(column, list, offset, cut);
    const { columns, lists } = this;
    const top = columns.length - 1;
    if (top < 0 || columns[top] !== column) return LOST;
    if (lists[top] === list) return FOUND;
    // `key:` then `- item` on the next line at the key's own column: the list is the key's value.
    if (list && this.open && this.owner === column) return this.push(column, list, offset, cut);
    // `other:` after such a list ends it.
    if (!list && top > 0 && columns[top - 1] === column && !lists[top - 1]) {
      columns.pop();
      lists.pop();
      return FOUND;
    }
    return LOST;
  }

  private push(column: number, list: boolean, offset: number, cut: number): Entered {
    this.columns.push(column);
    this.lists.push(list);
    if (this.columns.length <= this.limit) return FOUND;
    this.tooDeepAt = offset;
    this.cutAt = cut;
    return TOO_DEEP;
  }

  /**
   * Reads the flow collection whose `[` or `{` is at `start`, inside `base` block collections,
   * counting its levels; returns where it ends (after its closing bracket, or where the lexer ends it).
   */
  private skipFlow(start: number, base: number): number {
    const { text } = this;
    const n = text.length;
    let level = 0;
    // At the start of a token: a quote opens a quoted scalar, `&`/`!`/`*` a property or an alias, `#` a comment.
    let tokenStart = true;
    // After a quoted scalar or a closed collection, `:` is the value indicator even with no space after it.
    let afterJsonNode = false;
    for (let i = start; i < n; i++) {
      const code = text.charCodeAt(i);
      switch (code) {
        case OPEN_BRACKET:
        case OPEN_BRACE:
          if (base + ++level > this.limit) {
            this.tooDeepAt = i;
            this.cutAt = i + 1;
            return n;
          }
          tokenStart = true;
          afterJsonNode = false;
          break;
        case CLOSE_BRACKET:
        case CLOSE_BRACE:
          if (--level === 0) return i + 1;
          tokenStart = false;
          afterJsonNode = true;
          break;
        case COMMA:
          tokenStart = true;
          afterJsonNode = false;
          break;
        case LF:
          this.lineStart = i + 1;
          if (this.isDocumentMarker(i + 1)) return i + 1;
          break;
        case SPACE:
        case TAB:
          break;
        case CR:
          if (text.charCodeAt(i + 1) !== LF) {
            tokenStart = false; // a lone CR starts a plain scalar
            afterJsonNode = false;
          }
          break;
        case HASH:
          if (tokenStart || isEmpty(text.charCodeAt(i - 1))) {
            i = this.endOfLine(i) - 1; // a comment: it ends a plain scalar, so the next line starts a token
            tokenStart = true;
          } else {
            afterJsonNode = false;
          }
          break;
        case SINGLE_QUOTE:
        case DOUBLE_QUOTE:
          if (tokenStart) {
            i = this.skipQuoted(i) - 1;
            tokenStart = false;
            afterJsonNode = true;
          } else {
            afterJsonNode = false;
          }
          break;
        case COLON: {
          const next = text.charCodeAt(i + 1);
          tokenStart = afterJsonNode || isEmpty(next) || isFlowIndicator(next);
          afterJsonNode = false;
          break;
        }
        case QUESTION:
        case DASH: {
          // An indicator when a space or a flow indicator follows; else a plain scalar starts.
          const next = text.charCodeAt(i + 1);
          if (!(tokenStart && (isEmpty(next) || isFlowIndicator(next)))) tokenStart = false;
          afterJsonNode = false;
          break;
        }
        case AMPERSAND:
        case BANG:
        case ASTERISK:
          if (tokenStart) {
            i = this.skipProperty(i) - 1;
            tokenStart = code !== ASTERISK; // after a property, its node is still to come
          }
          afterJsonNode = false;
          break;
        default:
          tokenStart = false;
          afterJsonNode = false;
      }
    }
    return n;
  }

  /** Where the quoted scalar starting at `i` ends (after its closing quote), moving `lineStart` past its line breaks. */
  private skipQuoted(i: number): number {
    const { text } = this;
    const n = text.length;
    const quote = text.charCodeAt(i);
    for (let j = i + 1; j < n; j++) {
      const code = text.charCodeAt(j);
      if (code === LF) {
        this.lineStart = j + 1;
      } else if (code === quote) {
        if (quote === DOUBLE_QUOTE || text.charCodeAt(j + 1) !== SINGLE_QUOTE) return j + 1;
        j++; // '' is a quote inside single quotes
      } else if (code === BACKSLASH && quote === DOUBLE_QUOTE && text.charCodeAt(++j) === LF) {
        this.lineStart = j + 1;
      }
    }
    return n;
  }

  /** Where the `: ` after a plain scalar starting at `i` is, on its line; -1 when there is none (not a key). */
  private implicitKeyEnd(i: number): number {
    const { text } = this;
    const n = text.length;
    for (let j = i; j < n; j++) {
      const code = text.charCodeAt(j);
      if (code === COLON) {
        if (isEmpty(text.charCodeAt(j + 1))) return j;
      } else if (code === LF || (code === HASH && isEmpty(text.charCodeAt(j - 1)))) {
        return -1;
      }
    }
    return -1;
  }

  /** Where the `&anchor`, `*alias` or `!tag` starting at `i` ends. */
  private skipProperty(i: number): number {
    const { text } = this;
    if (text.charCodeAt(i) !== BANG) {
      do i++;
      while (!isEmpty(text.charCodeAt(i)) && !isFlowIndicator(text.charCodeAt(i)));
      return i;
    }
    if (text.charCodeAt(i + 1) === LESS) {
      let code: number;
      do code = text.charCodeAt(++i);
      while (!isEmpty(code) && code !== GREATER);
      return code === GREATER ? i + 1 : i;
    }
    do i++;
    while (TAG_CHARS.has(text.charCodeAt(i)));
    return i;
  }

  /** Past spaces and tabs, and a CR before a line break (a lone CR is text to the lexer). */
  private skipSpaces(i: number): number {
    const { text } = this;
    for (;;) {
      const code = text.charCodeAt(i);
      if (code === SPACE || code === TAB || (code === CR && text.charCodeAt(i + 1) === LF)) i++;
      else return i;
    }
  }

  private endOfLine(i: number): number {
    const end = this.text.indexOf("\n", i);
    return end < 0 ? this.text.length : end;
  }

  /** `---` or `...` at `i`, a line's start, followed by a space or the line's end. */
  private isDocumentMarker(i: number): boolean {
    const { text } = this;
    const code = text.charCodeAt(i);
    return (code === DASH || code === DOT) && text.charCodeAt(i + 1) === code && text.charCodeAt(i + 2) === code && isEmpty(text.charCodeAt(i + 3));
  }
}
