/**
 * The parse that refuses a file nesting too deep while the library builds its syntax tree, before it
 * composes (and recurses through) it: it gives what `parseDocument` gives, refuses exactly the files
 * whose tree nests deeper than the limit, where `tooDeep` would locate it, and reads no further.
 */
import { readdirSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, isCollection, isPair, LineCounter, parseDocument, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { GUARD_DEPTH, NestedTooDeep, parseWithinDepth } from "../../src/config/depth-guarded-parse.js";
import { MAX_NESTING_DEPTH, tooDeep } from "../../src/config/nesting-depth.js";

const OPTIONS = { prettyErrors: false, uniqueKeys: false, stringKeys: true, merge: true } as const;
const DEEP = 100_000;

/** Levels of mappings and lists in a tree (an alias counting as none). */
function depthOf(doc: Document): number {
  const walk = (node: unknown): number => {
    if (isPair(node)) return Math.max(walk(node.key), walk(node.value));
    if (!isCollection(node)) return 0;
    return 1 + Math.max(0, ...node.items.map(walk));
  };
  return walk(doc.contents);
}

/** The guarded parse of `text`: its document, or the offset it refused at. */
function guarded(text: string, limit = GUARD_DEPTH): { doc?: Document; refusedAt?: number } {
  try {
    return { doc: parseWithinDepth(text, new LineCounter(), OPTIONS, limit) };
  } catch (error) {
    if (error instanceof NestedTooDeep) return { refusedAt: error.offset };
    throw error;
  }
}

const lines = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join("");

/** The same shape `levels` deep, in the ways a file nests, well formed or broken as the library reads it leniently. */
const shapes: Record<string, (levels: number) => string> = {
  "flow lists": (n) => `a: ${"[".repeat(n)}${"]".repeat(n)}\n`,
  "flow mappings": (n) => `a: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`,
  "an unclosed flow list": (n) => `${"[".repeat(n)}\n`,
  "flow lists after ---": (n) => `--- ${"[".repeat(n)}\n`,
  "pairs in flow lists": (n) => `${"[a: ".repeat(n)}1${"]".repeat(n)}\n`,
  "compact lists": (n) => `a:\n  ${"- ".repeat(n)}1\n`,
  "compact explicit keys": (n) => `${"? ".repeat(n)}a\n`,
  "block mappings": (n) => lines(n, (i) => `${" ".repeat(i)}a:\n`),
  "block lists": (n) => `a:\n${lines(n, (i) => `${" ".repeat(i)}-\n`)}`,
  "lists of mappings": (n) => lines(n, (i) => `${" ".repeat(2 * i)}- a:\n`),
  // Broken files the library reads leniently into deep trees; a scan of the text missed each.
  "`a: :` on every line": (n) => "a: :\n".repeat(n),
  "a quoted scalar cut short by a less indented line": (n) => `a: "x\nb: ${"[".repeat(n)}\n"\n`,
  "a key indented under a plain value": (n) => `a: b\n  c: ${"[".repeat(n)}\n`,
  "a second `: ` on a value's line": (n) => `a: b: ${"[".repeat(n)}\n`,
  "a mapping on the --- line": (n) => `--- a: ${"[".repeat(n)}\n`,
  "compact lists after a tab": (n) => `a:\n\t${"- ".repeat(n)}x\n`,
  "a lone CR inside a value": (n) => `a: b\rc: ${"[".repeat(n)}\n`,
  "a line indented under a flow value": (n) => `a: [b]\n  ${"[".repeat(n)}\n`,
  "a comment right after a quoted scalar in a flow": (n) => `a: ["a"#,"\n  , ${"[".repeat(n)} #"\n  ]\n`,
  "a stray closing brace": (n) => `}${"[".repeat(n)}\n`,
  "flow lists juxtaposed without commas": (n) => `${"[a ".repeat(n)}\n`,
};

/** Shapes whose implicit pairs in flow lists make mappings the parser's tree has no token for. */
const PAIRS_IN_FLOWS = new Set(["pairs in flow lists", "flow lists juxtaposed without commas"]);

describe("parseWithinDepth", () => {
  it.each(Object.keys(shapes))(`refuses %s up to ${DEEP.toLocaleString("en")} levels deep where tooDeep finds the level too deep, reading no further`, (name) => {
    const shape = shapes[name]!;
    // The shallowest such file: the library's tree of it is cheap to build.
    let levels = 1;
    while (depthOf(parseDocument(shape(levels), OPTIONS)) <= MAX_NESTING_DEPTH) levels++;
    const tree = tooDeep(parseDocument(shape(levels), OPTIONS));
    expect(tree).toBeDefined();
    // Shapes indented one more space per level grow as the square of their depth: 1,500 levels is a megabyte.
    const deep = shape(shape(1_000).length > 100_000 ? 1_500 : DEEP);
    const counter = new LineCounter();
    let refused: NestedTooDeep | undefined;
    try {
      parseWithinDepth(deep, counter, OPTIONS);
    } catch (error) {
      if (!(error instanceof NestedTooDeep)) throw error;
      refused = error;
    }
    expect(refused).toBeDefined();
    // Two levels of the tree (a pair's mapping, its flow list) are one of the parser's: its collection one past the limit is deeper.
    if (PAIRS_IN_FLOWS.has(name)) expect(refused!.offset).toBeGreaterThan(tree!.offset);
    else expect(refused!.offset).toBe(tree!.offset);
    // The lexer stopped near the level too deep, a few hundred lines in at most.
    expect(counter.lineStarts.length).toBeLessThan(3 * GUARD_DEPTH);
  });

  it("takes every file nesting at most twice the limit: tooDeep refuses those beyond the limit afterwards", () => {
    for (const [name, shape] of Object.entries(shapes)) {
      let levels = 1;
      while (depthOf(parseDocument(shape(levels + 1), OPTIONS)) <= GUARD_DEPTH) levels++;
      expect(guarded(shape(levels)).doc, name).toBeDefined();
    }
  });

  it("gives what parseDocument gives for the shipped policy files and random text, broken or not", () => {
    const dir = join(import.meta.dirname, "../../policies");
    const texts = readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(dir, f), "utf8"));
    const random = mulberry32(20_261_205);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const pieces = ["a", "b c", "[", "]", "{", "}", ",", "#", " #x", ": ", ":", "- ", "? ", "'", '"', "\\", "\n", "\n  ", "\n    ", "\r", "\t", "&x ", "*x", "!t ", "|", ">", "--- ", "...", "%", "é", "-1", "- - -", "[[[", "a: b", "a:\n- ", "<<: *x"];
    for (let i = 0; i < 2_000; i++) texts.push(Array.from({ length: 1 + Math.floor(random() * 50) }, () => pick(pieces)).join(""));
    for (const text of texts) {
      const expected = parseDocument(text, OPTIONS);
      const { doc } = guarded(text, Infinity);
      expect(doc, JSON.stringify(text)).toBeDefined();
      expect(inspect(doc!.contents, { depth: null }), JSON.stringify(text)).toBe(inspect(expected.contents, { depth: null }));
      expect(doc!.errors.map((e) => [e.code, e.pos]), JSON.stringify(text)).toEqual(expected.errors.map((e) => [e.code, e.pos]));
    }
  });

  it("refuses random text whose tree nests more than twice the limit and one", () => {
    // The parser's tree has no token for the mapping of an implicit pair in a flow list (`[a: b]`), so
    // its depth is at least half the composed tree's, less the mapping a flow collection becomes the
    // key of once it closes (`[[a: b]]: c`): the composer recurses at most twice the limit and one,
    // and `tooDeep` refuses the file at the limit afterwards.
    const random = mulberry32(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const pieces = ["a", "[", "]", "{", "}", ",", ": ", ":", "- ", "? ", "\n", "\n  ", "\n    ", "\t", "&x ", "*x", "--- ", "é", "- - -", "[[[", "a: b", "a:\n- ", "a: :\n", '"', "#"];
    for (let i = 0; i < 3_000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 60) }, () => pick(pieces)).join("");
      const parsed = parseDocument(text, OPTIONS);
      const depth = depthOf(parsed);
      if (depth >= 3) expect(guarded(text, Math.floor((depth - 2) / 2)).refusedAt, JSON.stringify(text)).toBeDefined();
    }
  });

  it("takes well-formed files in any of yaml's styles at their depth", () => {
    // Random values written in random styles (flow or block collections, quoted, block and plain
    // scalars with brackets, dashes, colons, quotes and line breaks in them, anchors, tags, comments).
    const random = mulberry32(20_240_611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const pieces = ["a", "b c", "[", "]", "{", "}", ",", "#", " #x", ": ", ":", "- ", "? ", "'", '"', "\\", "\n", "\n  ", "\t", "&x", "*y", "!t", "|", ">", "---", "%", "é", "-1", "http://x", "- - -", "[[[", "a: b"];
    const text = () => Array.from({ length: Math.floor(random() * 5) }, () => pick(pieces)).join("");
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 7 || r < 0.35) return pick([text(), Math.floor(random() * 100), null]);
      const size = Math.floor(random() * 4);
      if (r < 0.7) return Object.fromEntries(Array.from({ length: size }, (_, i) => [text() || `k${i}`, value(depth + 1)]));
      return Array.from({ length: size }, () => value(depth + 1));
    };
    const restyle = (node: unknown): void => {
      if (node instanceof YAMLMap || node instanceof YAMLSeq) {
        node.flow = random() < 0.3;
        if (random() < 0.1) node.anchor = `a${Math.floor(random() * 1e6)}`;
        if (random() < 0.1) node.commentBefore = text().replace(/\n/g, " ");
        for (const item of node.items) {
          if (isPair(item)) {
            restyle(item.key);
            restyle(item.value);
          } else restyle(item);
        }
      } else if (node instanceof Scalar && random() < 0.4) {
        node.type = pick(["PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL", "BLOCK_FOLDED"] as const);
      }
    };
    let checked = 0;
    for (let i = 0; i < 600; i++) {
      const doc = new Document(value(0));
      restyle(doc.contents);
      let written: string;
      try {
        written = doc.toString({ indent: 1 + Math.floor(random() * 4), indentSeq: random() < 0.5, lineWidth: pick([0, 10, 80]), minContentWidth: pick([0, 20]) });
      } catch {
        continue; // a style the writer cannot give this value
      }
      if (random() < 0.1) written = written.replace(/\n/g, "\r\n");
      if (parseDocument(written).errors.length > 0) continue;
      expect(guarded(written, depthOf(parseDocument(written, OPTIONS))).doc, written).toBeDefined();
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });
});

/** A seeded random number generator, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
