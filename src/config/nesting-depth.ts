/**
 * How deep a file's mappings and lists nest, checked on the syntax tree before any value is built.
 * Building the value, validating it (zod's `not`/`any`/`all` schemas call themselves once per level)
 * and compiling it each recurse once per level: 800 nested `not` in a 7 KB routing.yaml overflowed the
 * stack, a bare RangeError that named no file. The shipped files nest at most 6 levels; `MAX_NESTING_DEPTH`
 * is far above that and far below what overflows. An alias counts as the value it names, written there;
 * one inside the value it names (`when: &w { not: *w }`) nests without end, and is refused as such.
 */
import { isAlias, isCollection, isPair, isScalar, type Document, type Node } from "yaml";

export const MAX_NESTING_DEPTH = 64;

export const NESTING_MESSAGE = `mappings and lists nest more than ${MAX_NESTING_DEPTH} levels deep here; no policy needs that many: flatten it`;

const cycleMessage = (name: string) => `*${name} is inside the value &${name} names, so that value would contain itself without end: write it out instead`;

/**
 * The source offset of the first mapping or list (or alias of one) below `MAX_NESTING_DEPTH` others,
 * or of an alias inside the value it names, with what to tell ops; or undefined. Never descends past the limit, so a file nested 100,000 deep costs one walk of its
 * first 65 levels' worth of recursion.
 *
 * @example
 * tooDeep(parseDocument("a: [[1]]\n")); // undefined
 */
export function tooDeep(doc: Document): { offset: number; message: string } | undefined {
  // In document order an alias names the latest anchor of its name before it; `heights` holds the
  // levels of each anchored mapping or list walked to its end, so one without is still open: the alias is inside it.
  const anchors = new Map<string, Node>();
  const heights = new Map<Node, number>();
  let found: { offset: number; message: string } | undefined;

  /** Levels of mappings and lists in `node`, a collection counting one; stops at the first too deep. */
  const walk = (node: unknown, depth: number): number => {
    if (found !== undefined) return 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const offset = node.range?.[0] ?? 0;
      if (isCollection(target) && !heights.has(target)) {
        found = { offset, message: cycleMessage(node.source) };
        return 0;
      }
      const height = (target && heights.get(target)) ?? 0;
      if (depth + height > MAX_NESTING_DEPTH) found = { offset, message: NESTING_MESSAGE };
      return height;
    }
    if (isPair(node)) return Math.max(walk(node.key, depth), walk(node.value, depth));
    if (!isCollection(node)) {
      if (isScalar(node) && node.anchor) anchors.set(node.anchor, node);
      return 0;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (depth + 1 > MAX_NESTING_DEPTH) {
      found = { offset: node.range?.[0] ?? 0, message: NESTING_MESSAGE };
      return 0;
    }
    let below = 0;
    for (const item of node.items) below = Math.max(below, walk(item, depth + 1));
    const height = below + 1;
    if (node.anchor) heights.set(node, height);
    return height;
  };
  walk(doc.contents, 0);
  return found;
}

/**
 * The library's own stack overflow while composing `doc`, which it reports as RESOURCE_EXHAUSTION
 * and answers by cutting the tree short there (so `tooDeep` may not see the depth): the same fault,
 * told to ops the same way rather than as "Maximum call stack size exceeded" at 1:1. A backstop: the
 * depth-guarded parse stops files before the composer nests deep enough for it.
 */
export function resourceExhausted(doc: Document): { offset: number; message: string } | undefined {
  const error = doc.errors.find((e) => e.code === "RESOURCE_EXHAUSTION");
  return error && { offset: error.pos[0], message: NESTING_MESSAGE };
}
