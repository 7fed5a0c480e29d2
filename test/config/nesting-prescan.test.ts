/**
 * The scan of a file's text for how deep it nests, before the yaml library parses it: it finds a
 * mapping or list too deep where `tooDeep` finds it on the syntax tree, and never finds more levels
 * than a well-formed file's tree has, whatever holds brackets and dashes without nesting them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, isCollection, isPair, LineCounter, parseDocument, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { MAX_NESTING_DEPTH, tooDeep } from "../../src/config/nesting-depth.js";
import { tooDeepText } from "../../src/config/nesting-prescan.js";

const DEEP = 100_000;

/** Levels of mappings and lists in a well-formed file's tree (an alias counting as none). */
function depthOf(text: string): number {
  const doc = parseDocument(text, { uniqueKeys: false, stringKeys: true });
  expect(doc.errors).toEqual([]);
  const walk = (node: unknown): number => {
    if (isPair(node)) return Math.max(walk(node.key), walk(node.value));
    if (!isCollection(node)) return 0;
    return 1 + Math.max(0, ...node.items.map(walk));
  };
  return walk(doc.contents);
}

/** Where `tooDeep` finds the first level too deep, as line:col. */
function treeFinds(text: string): string | undefined {
  const counter = new LineCounter();
  const found = tooDeep(parseDocument(text, { lineCounter: counter, uniqueKeys: false, stringKeys: true }));
  return found && `${counter.linePos(found.offset).line}:${counter.linePos(found.offset).col}`;
}

function scanFinds(text: string): string | undefined {
  const found = tooDeepText(text);
  if (!found) return undefined;
  const before = text.slice(0, found.offset);
  return `${before.split("\n").length}:${found.offset - before.lastIndexOf("\n")}`;
}

const lines = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join("");

describe("the nesting scan", () => {
  // Each 200 levels deep: the yaml library parses that in milliseconds, so the two can be compared.
  const shapes: Record<string, string> = {
    "flow lists": `a: ${"[".repeat(200)}${"]".repeat(200)}\n`,
    "flow mappings": `a: ${"{a: ".repeat(200)}1${"}".repeat(200)}\n`,
    "JSON": `{"a": ${'{"a": '.repeat(200)}1${"}".repeat(200)}}\n`,
    "an unclosed flow list": `${"[".repeat(200)}\n`,
    "flow lists after ---": `--- ${"[".repeat(200)}\n`,
    "anchored and tagged flow": `a: ${"&x [!!map {b: ".repeat(100)}1${"}]".repeat(100)}\n`,
    "compact lists": `a:\n  ${"- ".repeat(200)}1\n`,
    "compact explicit keys": `${"? ".repeat(200)}a\n`,
    "compact lists and keys": `${"- ? ".repeat(100)}x\n`,
    "block mappings": lines(200, (i) => `${" ".repeat(i)}a:\n`),
    "block lists": `a:\n${lines(200, (i) => `${" ".repeat(i)}-\n`)}`,
    "quoted keys": lines(200, (i) => `${" ".repeat(i)}"k": \n`),
    "lists of mappings": lines(100, (i) => `${" ".repeat(2 * i)}- a:\n`),
    "block and flow": `${lines(40, (i) => `${" ".repeat(i)}a:\n`)}${" ".repeat(40)}b: ${"[".repeat(100)}${"]".repeat(100)}\n`,
  };

  it.each(Object.entries(shapes))("finds the level too deep where tooDeep does: %s", (_name, text) => {
    expect(treeFinds(text)).toBeDefined();
    expect(scanFinds(text)).toBe(treeFinds(text));
  });

  it(`finds it ${DEEP.toLocaleString("en")} levels deep in one pass, where the library took 1–2 s to parse`, () => {
    expect(tooDeepText(`a: ${"[".repeat(DEEP)}${"]".repeat(DEEP)}\n`)).toEqual(expect.objectContaining({ offset: 3 + MAX_NESTING_DEPTH - 1 }));
    expect(tooDeepText(`a:\n  ${"- ".repeat(DEEP)}1\n`)).toEqual(expect.objectContaining({ offset: 5 + 2 * (MAX_NESTING_DEPTH - 1) }));
  });

  it("gives where to cut the text to keep that level: just after it", () => {
    const text = `a: ${"[".repeat(DEEP)}`;
    const found = tooDeepText(text);
    expect(found && text.slice(0, found.end)).toBe(`a: ${"[".repeat(MAX_NESTING_DEPTH)}`);
    const keys = lines(100, (i) => `${" ".repeat(i)}key: \n`);
    const atKey = tooDeepText(keys);
    expect(atKey && keys.slice(atKey.offset, atKey.end)).toBe("key:");
  });

  it("counts no bracket or dash in comments, quoted or block scalars, or plain text", () => {
    const brackets = "[{".repeat(DEEP / 2);
    const texts = [
      `# ${brackets}\na: 1\n`,
      `a: "${brackets}"\nb: '${brackets}'\n`,
      `a: "line\n  ${brackets}\n  - - - - \\" ${brackets}"\n`,
      `a: 'it''s ${brackets}'\n`,
      `a: |\n  ${brackets}\n  ${"- ".repeat(DEEP)}\nb: >-\n  ${"? ".repeat(DEEP)}\n`,
      `a: plain text${brackets}\n`,
      `a: plain\n  continued ${"- ".repeat(DEEP)}\n`,
      `- plain\n  ${"- ".repeat(DEEP)}\n`,
      `a: [x # ${brackets}\n  ]\n`,
      `a: ["${brackets}", '${brackets}', it's]\n`,
      `url: http://example.com/${brackets}\n`,
      `${"- ".repeat(30)}|\n${" ".repeat(60)}${brackets}\n`,
      `--- |\n${"- ".repeat(DEEP)}\n`,
    ];
    for (const text of texts) expect(tooDeepText(text), text.slice(0, 60)).toBeUndefined();
  });

  it("finds exactly as many levels as the shipped policy files have", () => {
    const dir = join(import.meta.dirname, "../../policies");
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const text = readFileSync(join(dir, name), "utf8");
      const depth = depthOf(text);
      expect(tooDeepText(text, depth), name).toBeUndefined();
      expect(tooDeepText(text, depth - 1), name).toBeDefined();
    }
  });

  it("never finds more levels than the tree of a well-formed file has, in any of yaml's styles", () => {
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
      expect(tooDeepText(written, depthOf(written)), written).toBeUndefined();
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
