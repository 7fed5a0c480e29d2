/**
 * Where a path (`["rules", 3, "then", "route"]`) or a mapping's key is written in a parsed file, for
 * problems found after parsing. A key was looked up by comparing it with each key of its mapping (the
 * yaml library's `getIn`, and `items.find` for a misspelt key's line), so locating one problem per key
 * of a large mapping was quadratic: a file of 27,000 misspelt keys (230 KB) took 4-54 s of CPU on the
 * thread serving requests. Each mapping's keys are indexed once, when a path first goes through it.
 */
import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from "yaml";

export interface Position {
  line: number;
  col: number;
}

export interface Locator {
  /** Line/column of `path`, or of its nearest existing parent. */
  locate(path: readonly PropertyKey[]): Position;
  /** Line/column of key `key` of the mapping at `path` (its own line, so a typo below a block's first key is found), else as `locate(path)`. */
  locateKey(path: readonly PropertyKey[], key: string): Position;
}

/**
 * @example
 * const { locate } = createLocator(doc, counter);
 * locate(["rules", 0, "then"]); // { line: 7, col: 11 }
 */
export function createLocator(doc: Document, counter: LineCounter): Locator {
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const text = isScalar(pair.key) ? String(pair.key.value) : undefined;
        // The first of duplicate keys, as the library's own lookup finds it.
        if (text !== undefined && !index.has(text)) index.set(text, pair);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };
  /** The nodes along `path` from the document's root, as far as the path exists (as `doc.getIn` finds them). */
  const nodesAlong = (path: readonly PropertyKey[]): Node[] => {
    const nodes: Node[] = [];
    let node: unknown = doc.contents;
    for (let depth = 0; isNode(node); depth++) {
      nodes.push(node);
      if (depth === path.length) break;
      const key = path[depth];
      if (isMap(node)) node = pairOf(node, String(key))?.value;
      else if (isSeq(node) && typeof key === "number") node = node.items[key];
      else break;
    }
    return nodes;
  };
  const positionOf = (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line, col };
  };
  const locate = (path: readonly PropertyKey[]): Position => {
    const nodes = nodesAlong(path);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const range = nodes[i]?.range;
      if (range) return positionOf(range[0]);
    }
    return { line: 1, col: 1 };
  };
  const locateKey = (path: readonly PropertyKey[], key: string): Position => {
    const parent = locate(path);
    const nodes = nodesAlong(path);
    const node = nodes.length === path.length + 1 ? nodes[nodes.length - 1] : undefined;
    if (!isMap(node)) return parent;
    const pairKey = pairOf(node, key)?.key;
    const range = isNode(pairKey) ? pairKey.range : undefined;
    if (!range) return parent;
    const at = positionOf(range[0]);
    // On the mapping's own line (flow style) its position already names the line; keep it stable.
    return at.line === parent.line ? parent : at;
  };
  return { locate, locateKey };
}
