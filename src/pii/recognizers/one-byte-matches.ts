/**
 * V8 stores a string holding any character above U+00FF (an en dash, a curly quote, an emoji, a letter
 * such as "ł") two bytes a character, and runs the code a regex compiled for such strings. For patterns
 * built on Unicode properties (`\p{Lu}`, `\p{L}`) that code is 4-15× slower on the same text than the
 * one-byte code: a property's thousands of ranges are tested one by one, and the one-byte code's skip
 * to where a match can start is lost. One dash in a 100 KB prompt made the whole prompt slow to scan.
 *
 * `oneByteMatcher` finds a pattern's matches in a one-byte copy of the text instead, which reads the
 * same to the pattern: every character above U+00FF becomes U+0000, and where the text had one the
 * pattern never reads (no class, escape or literal of it matches the character), neither is read: no
 * match spans it and no look-around sees past it, in the text or the copy. The stretches around the
 * characters the pattern does read (the letters of `\p{L}`, the "’" of a name) are matched in the text
 * itself, out to the nearest characters it never reads on either side, where its matches start and end
 * as they would in the whole text.
 */
import { Buffer } from "node:buffer";
import type { Deadline } from "../budget.js";
import { forEachMatch, ownRegex, stepOverEmptyMatch } from "./matches.js";
import { CHECK_EVERY } from "./recognizer.js";

export type MatchVisitor = (match: RegExpExecArray) => void;

/**
 * `forEachMatch` with a pattern of its own: the same matches in the same order, faster on two-byte
 * texts. Matchers of one text can share its `OneByteText`, found once.
 */
export type OneByteMatcher = (text: string, deadline: Deadline, visit: MatchVisitor, shared?: OneByteText) => void;

/**
 * A text's characters above U+00FF and its copy with U+0000 for each of them, listed when first asked
 * for (a matcher may tell from a sample of the text that the copy would not pay). None are listed when
 * it has none, or so many that matching the copy would not pay (a text in Chinese, Greek or Russian: most
 * of its characters are letters, which the patterns read), and then the copy is the text.
 */
export interface OneByteText {
  /** Whether the text has characters above U+00FF and is not mostly made of them: one regex test and a sample. */
  readonly worthCopying: boolean;
  /** The share of characters above U+00FF in a sample of `SAMPLES` spread over the text. */
  readonly wideShare: number;
  /** Where the units above U+00FF are, in order (both halves of a surrogate pair). */
  readonly wide: Int32Array;
  /** The text one byte a character. */
  readonly copy: string;
}

const WIDE = /[^\x00-\xff]/g;
/** Past this share of the text to be matched as written, the copy is not worth using. */
const MOST_OF_THE_TEXT = 0.5;
/** Past this share of characters above U+00FF, a text is not worth copying. */
const MANY_WIDE = 0.25;
/** Characters looked at to tell a text in another script. */
const SAMPLES = 256;
/**
 * Stretches closer than this are matched as one: the text between them costs less matched as written than
 * a switch of subject does (two searches and two slices).
 */
const NEAR = 256;
/**
 * Below this share of characters above U+00FF, a text's stretches are walked without a sample first: they
 * are few and short, and the walk touches only them.
 */
const FEW_WIDE = 1 / 32;
/** Texts from this length on are sampled before their stretches are walked; shorter ones cost little to walk. */
const ESTIMATE_FROM = 8192;
/** Characters sampled to tell whether stretches would cover most of a text. */
const ESTIMATE_SAMPLES = 64;
/** Characters above U+00FF walked between looks at the deadline. */
const WALK_CHECK_EVERY = 4096;
/** Characters above U+00FF whose reading is remembered, per pattern: a text of Chinese meets thousands. */
const WIDE_CACHE_SIZE = 4096;

/** `text`'s `OneByteText`, for matchers of it to share. */
export function oneByteText(text: string): OneByteText {
  // Most texts have none: one regex test. A text in another script is told by a sample of it, as
  // listing its characters one by one would cost more than the copy saves.
  WIDE.lastIndex = 0;
  if (!WIDE.test(text)) return { worthCopying: false, wideShare: 0, wide: NONE, copy: text };
  const wideShare = sampledWideShare(text);
  if (wideShare > MANY_WIDE) return { worthCopying: false, wideShare, wide: NONE, copy: text };
  const first = WIDE.lastIndex - 1;
  let listed: { wide: Int32Array; copy: string } | undefined;
  const list = () => (listed ??= listWide(text, first));
  return {
    worthCopying: true,
    wideShare,
    get wide() {
      return list().wide;
    },
    get copy() {
      return list().copy;
    },
  };
}

/** The units above U+00FF from `first` on and the copy, or none past `MANY_WIDE` of the text. */
function listWide(text: string, first: number): { wide: Int32Array; copy: string } {
  // One regex test each (a charCodeAt loop costs ~3× as much on a text with few), into a typed array grown
  // by doubling: pushing onto an array cost ~5 ms for 50K positions, this ~2 ms.
  const tooMany = Math.floor(text.length * MANY_WIDE);
  let wide = new Int32Array(Math.min(tooMany + 1, 256));
  wide[0] = first;
  let count = 1;
  WIDE.lastIndex = first + 1;
  while (WIDE.test(text)) {
    if (count === tooMany) return { wide: NONE, copy: text };
    if (count === wide.length) {
      const grown = new Int32Array(Math.min(tooMany + 1, 2 * count));
      grown.set(wide);
      wide = grown;
    }
    wide[count++] = WIDE.lastIndex - 1;
  }
  const bytes = Buffer.from(text, "latin1");
  for (let i = 0; i < count; i++) bytes[wide[i]!] = 0;
  return { wide: wide.subarray(0, count), copy: bytes.toString("latin1") };
}

const NONE = new Int32Array(0);

/**
 * The share of characters above U+00FF in `SAMPLES` spread over `text`: one from each of `SAMPLES` equal
 * parts, at a scrambled place in it, so that a text repeating a short unit ("a–a–…") is not sampled on
 * one phase of it.
 */
function sampledWideShare(text: string): number {
  const samples = Math.min(SAMPLES, text.length);
  let wide = 0;
  for (let i = 0; i < samples; i++) {
    const part = Math.floor((i * text.length) / samples);
    const partLength = Math.floor(((i + 1) * text.length) / samples) - part;
    if (text.charCodeAt(part + (Math.imul(i, 0x9e3779b1) >>> 0) % partLength) > 0xff) wide++;
  }
  return wide / samples;
}

/**
 * A matcher of `regex` (with the `g` flag; without `u` it matches the text as written) for recognizers
 * whose pattern is slow on two-byte texts. As with `forEachMatch`, the visitor may move the regex's `lastIndex` within
 * the current match to go on from there.
 *
 * @example
 * const runs = oneByteMatcher(/\p{Lu}\p{Ll}+/gu);
 * runs("Émile – Zoë", NO_DEADLINE, (m) => console.log(m.index, m[0])); // 0 Émile, 8 Zoë
 */
export function oneByteMatcher(regex: RegExp): OneByteMatcher {
  if (!regex.global) throw new TypeError(`oneByteMatcher needs a global pattern (the g flag): ${regex}`);
  const own = ownRegex(regex);
  const reads = readClass(own);
  // Latin-1 characters the pattern never reads; U+0000 must be one, as it stands in for the others.
  const unread = new Uint8Array(256);
  if (reads) for (let c = 0; c < 256; c++) unread[c] = reads.test(String.fromCharCode(c)) ? 0 : 1;
  if (!reads || unread[0] === 0) return (text, deadline, visit) => forEachMatch(own, text, deadline, visit);
  // Characters above U+00FF the pattern never reads, as they are met: a text repeats its few (dashes, quotes).
  const wideUnread = new Map<number, boolean>();
  const isWideUnread = (code: number) => {
    let known = wideUnread.get(code);
    if (known === undefined) {
      known = !reads.test(String.fromCodePoint(code));
      if (wideUnread.size < WIDE_CACHE_SIZE) wideUnread.set(code, known);
    }
    return known;
  };
  const isUnread = (text: string, at: number) => {
    const unit = text.charCodeAt(at);
    return unit <= 0xff ? unread[unit] === 1 : isWideUnread(text.codePointAt(at)!);
  };
  return (text, deadline, visit, shared) => {
    const one = shared ?? oneByteText(text);
    const unreadIn = (at: number) => isUnread(text, at);
    const asWritten =
      one.worthCopying && !(one.wideShare >= FEW_WIDE && mostlyAsWritten(text, unreadIn)) && one.wide.length > 0
        ? stretchesAsWritten(text, one.wide, unreadIn, deadline)
        : undefined;
    if (asWritten === undefined) forEachMatch(own, text, deadline, visit);
    else matchInStretches(own, text, one.copy, asWritten, deadline, visit);
  };
}

/**
 * Whether, by a sample, stretches to match as written would cover most of the text: whether most of
 * `ESTIMATE_SAMPLES` characters spread over it lie in a stretch or between two closer than `NEAR`, taken
 * as having a character above U+00FF that the pattern reads within `NEAR` on both sides. Tells before
 * listing and walking them that the text is better matched as written (a text full of "ł", a pattern
 * reading the commas between numbers with an Arabic-Indic digit every few). Short texts are walked.
 */
function mostlyAsWritten(text: string, isUnread: (at: number) => boolean): boolean {
  if (text.length < ESTIMATE_FROM) return false;
  const readWide = (at: number) => text.charCodeAt(at) > 0xff && !isUnread(at);
  let asWritten = 0;
  for (let i = 0; i < ESTIMATE_SAMPLES; i++) {
    const at = Math.floor(((i + 0.5) * text.length) / ESTIMATE_SAMPLES);
    let before = false;
    for (let x = at; !before && x >= 0 && at - x < NEAR; x--) before = readWide(x);
    let after = false;
    for (let x = at; before && !after && x < text.length && x - at < NEAR; x++) after = readWide(x);
    if (after) asWritten++;
  }
  return asWritten > ESTIMATE_SAMPLES * MOST_OF_THE_TEXT;
}

/**
 * [from, to) pairs, in order: the stretches to match in the text as written, around its characters
 * above U+00FF that the pattern may read, each bounded by characters it never reads (or the text's
 * edges), and joined with the one before when it starts within `NEAR` of its end. Undefined when they
 * would make up most of the text. Each character is looked at a bounded number of times.
 */
function stretchesAsWritten(text: string, wide: Int32Array, isUnread: (at: number) => boolean, deadline: Deadline): number[] | undefined {
  const stretches: number[] = [];
  const most = text.length * MOST_OF_THE_TEXT;
  let covered = 0;
  let next = 0;
  for (let w = 0; w < wide.length; w++) {
    const at = wide[w]!;
    if (at < next || isSecondHalf(text, at) || isUnread(at)) continue;
    if (w % WALK_CHECK_EVERY === 0) deadline.check();
    // Back to a character the pattern never reads: the stretch before ends at one, so not past it.
    let from = at;
    while (from > 0) {
      const before = codePointStartBefore(text, from);
      if (isUnread(before)) break;
      from = before;
    }
    let to = at + codePointWidth(text, at);
    while (to < text.length && !isUnread(to)) to += codePointWidth(text, to);
    const last = stretches.length - 1;
    if (last > 0 && from - stretches[last]! < NEAR) {
      covered += to - stretches[last]!;
      stretches[last] = to;
    } else {
      covered += to - from;
      stretches.push(from, to);
    }
    if (covered > most) return undefined;
    next = to;
  }
  return stretches;
}

/**
 * The matches of `regex` in `text`: in the copy between the stretches matched as written. Every subject
 * is the text or the copy cut short at a stretch's start or end, so offsets are the text's throughout and
 * a visitor's `lastIndex` needs no translation. An empty match at a stretch's start is left to the text
 * (the copy cut there does not show what follows), and one at its end is the text's (the copy may hold
 * U+0000 for a character before it).
 */
function matchInStretches(regex: RegExp, text: string, copy: string, asWritten: readonly number[], deadline: Deadline, visit: MatchVisitor): void {
  const search: Search = { regex, text, deadline, visit, seen: 0 };
  try {
    let from = 0;
    for (let i = 0; i < asWritten.length; i += 2) {
      const [start, end] = [asWritten[i]!, asWritten[i + 1]!];
      from = matchesIn(search, copy, start, from, false);
      from = matchesIn(search, text, end, Math.max(from, start), true);
      // No match starts at `end` but an empty one, looked for in the text just now.
      from = Math.max(from, end + codePointWidth(text, end));
    }
    matchesIn(search, copy, copy.length, from, true);
  } finally {
    regex.lastIndex = 0;
  }
}

interface Search {
  readonly regex: RegExp;
  readonly text: string;
  readonly deadline: Deadline;
  readonly visit: MatchVisitor;
  seen: number;
}

/**
 * The matches starting in `subject` (the text or its copy) from `from` up to `limit` (an empty one at
 * `limit` only when `endsThere`: the text ends there or at a character the pattern never reads), visited
 * as `forEachMatch` does; returns where the search goes on.
 */
function matchesIn(search: Search, subject: string, limit: number, from: number, endsThere: boolean): number {
  if (from > limit) return from;
  const { regex, text } = search;
  const cut = limit === subject.length ? subject : subject.slice(0, limit);
  regex.lastIndex = from;
  let next = from;
  for (let match = regex.exec(cut); match !== null; match = regex.exec(cut)) {
    if (match[0].length === 0) {
      if (match.index === limit && !endsThere) return limit;
      stepOverEmptyMatch(regex, text);
      // The copy's U+0000 U+0000 for a character above U+FFFF is two places a match can start; the text's is one.
      if (subject !== text && isSecondHalf(text, match.index)) {
        next = regex.lastIndex;
        continue;
      }
    }
    if (++search.seen % CHECK_EVERY === 0) search.deadline.check();
    search.visit(match);
    next = regex.lastIndex;
  }
  return next;
}

function isSecondHalf(text: string, at: number): boolean {
  return at > 0 && (text.codePointAt(at - 1) ?? 0) > 0xffff;
}

function codePointWidth(text: string, at: number): number {
  return (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
}

function codePointStartBefore(text: string, at: number): number {
  return at >= 2 && (text.codePointAt(at - 2) ?? 0) > 0xffff ? at - 2 : at - 1;
}

/**
 * A regex testing whether `regex` can read a character (the whole of a string of one character): the
 * alternation of all its classes, escapes and literal characters, its look-arounds' included, with its
 * flags, and `\w` for a word boundary. Undefined when where the text starts or ends counts (`^`, `$`),
 * or for syntax not read here: the `v` flag, and patterns without the `u` flag, which read a character
 * above U+FFFF as two.
 */
export function readClass(regex: RegExp): RegExp | undefined {
  const source = regex.source;
  if (!regex.unicode || regex.flags.includes("v")) return undefined;
  // A set: ADDRESS's alternation of street words repeats its letters hundreds of times.
  const atoms = new Set<string>();
  for (let i = 0; i < source.length; ) {
    const c = source[i]!;
    if (c === "\\") {
      const e = source[i + 1] ?? "";
      let end = i + 2;
      if (e === "b" || e === "B") {
        atoms.add("\\w");
        i = end;
        continue;
      }
      // A back-reference reads what its group read.
      if (e === "k") {
        i = source.indexOf(">", i) + 1;
        continue;
      }
      if (/[1-9]/.test(e)) {
        while (/\d/.test(source[end] ?? "")) end++;
        i = end;
        continue;
      }
      if (e === "p" || e === "P" || (e === "u" && source[i + 2] === "{")) end = source.indexOf("}", i) + 1;
      // With the u flag, `\uD83D\uDE00` names one character (U+1F600), which neither half matches alone.
      else if (e === "u") end = SURROGATE_PAIR_ESCAPE.test(source.slice(i, i + 12)) ? i + 12 : i + 6;
      else if (e === "x") end = i + 4;
      else if (e === "c") end = i + 3;
      atoms.add(source.slice(i, end));
      i = end;
      continue;
    }
    if (c === "[") {
      let end = i + 1;
      if (source[end] === "^") end++;
      while (end < source.length && source[end] !== "]") end += source[end] === "\\" ? 2 : 1;
      atoms.add(source.slice(i, end + 1));
      i = end + 1;
      continue;
    }
    if (c === "(") {
      if (source[i + 1] !== "?") i++;
      else if (source[i + 2] === "<" && source[i + 3] !== "=" && source[i + 3] !== "!") i = source.indexOf(">", i) + 1;
      else i += source[i + 2] === "<" ? 4 : 3;
      continue;
    }
    if (c === "{") {
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(source.slice(i, i + 24));
      if (quantifier) {
        i += quantifier[0].length;
        continue;
      }
    }
    if (c === "^" || c === "$") return undefined;
    if (")|*+?".includes(c)) {
      i++;
      continue;
    }
    const literal = String.fromCodePoint(source.codePointAt(i)!);
    atoms.add(c === "." ? "." : /[\]{}/]/.test(literal) ? `\\${literal}` : literal);
    i += literal.length;
  }
  if (atoms.size === 0) return undefined;
  const flags = [...regex.flags].filter((f) => "ius".includes(f)).join("");
  return new RegExp(`^(?:${[...atoms].join("|")})$`, flags);
}

const SURROGATE_PAIR_ESCAPE = /^\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}$/;
