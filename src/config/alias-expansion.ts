/**
 * How far a file's aliases (`*name`) would expand it, checked on the syntax tree before any value is
 * built. The yaml library's own limit (`maxAliasCount`) is counted per anchor, so it lets through a
 * file of tens of thousands of anchors each used once — whose resolution is quadratic in the yaml
 * library (each alias walks every anchor before it: 53,000 of them in 1 MiB took 100 s on the thread
 * that serves requests) — and an anchor of 240,000 values used 99 times. Both are refused here: at most
 * `MAX_ALIASES` aliases in a file, adding at most `MAX_ALIASED_NODES` nodes between them.
 */
import { isAlias, visit, type Document, type Node } from "yaml";

export const MAX_ALIASES = 100;
export const MAX_ALIASED_NODES = 10_000;

/**
 * The source offset of the first alias past either limit, or naming no anchor before it, with what
 * to tell ops, or undefined.
 *
 * @example
 * aliasOverrun(parseDocument("a: &x [1, 2]\nb: *x\n")); // undefined
 */
export function aliasOverrun(doc: Document): { offset: number; message: string } | undefined {
  // In document order an alias names the latest anchor of its name before it.
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  let aliases = 0;
  let aliased = 0;
  let overrun: { offset: number; message: string } | undefined;
  visit(doc, {
    Node(_key, node) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return undefined;
      }
      aliases++;
      const target = anchors.get(node.source);
      if (!target) {
        overrun = { offset: node.range?.[0] ?? 0, message: `*${node.source} names no anchor: write &${node.source} on a value before it` };
        return visit.BREAK;
      }
      aliased += sizeOf(target, sizes);
      if (aliases <= MAX_ALIASES && aliased <= MAX_ALIASED_NODES) return undefined;
      const message =
        aliases > MAX_ALIASES
          ? `more than ${MAX_ALIASES} aliases (*name) in one file; write the values out instead`
          : `aliases (*name) expand to more than ${MAX_ALIASED_NODES} values; write the values out instead`;
      overrun = { offset: node.range?.[0] ?? 0, message };
      return visit.BREAK;
    },
  });
  return overrun;
}

/** Nodes under `node`, an alias inside counting one (their own expansion is counted where they stand); at most one past the limit. */
function sizeOf(node: Node, sizes: Map<Node, number>): number {
  const known = sizes.get(node);
  if (known !== undefined) return known;
  let size = 0;
  visit(node, {
    Node() {
      if (++size > MAX_ALIASED_NODES) return visit.BREAK;
      return undefined;
    },
  });
  sizes.set(node, size);
  return size;
}
