/**
 * The line of any place in a parsed YAML (or JSON) document, by its path of keys and indices. Each mapping's
 * keys are indexed the first time a path goes through it, so finding the lines of n issues costs O(n), where
 * `doc.getIn` scans a mapping's keys on every call (quadratic for a file with thousands of nodes and issues).
 * A path that goes past what the document holds gets the line of the deepest part that exists.
 *
 * @example
 * const lineOf = lineIndex(doc, lineCounter);
 * lineOf(["nodes", "Z1", "in", 1]) // the line of Z1's second operand
 */
import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export function lineIndex(doc: Document, lines: LineCounter): (path: readonly (string | number)[]) => number | undefined {
  const keysOf = new WeakMap<object, Map<string, unknown>>();
  const child = (node: unknown, key: string | number): unknown => {
    if (isSeq(node)) return typeof key === "number" ? node.items[key] : undefined;
    if (!isMap(node)) return undefined;
    let keys = keysOf.get(node);
    if (!keys) {
      keys = new Map();
      // The first of a repeated key wins, as the parser's own lookup does (repeats are refused anyway).
      for (const pair of node.items) {
        const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
        if (!keys.has(k)) keys.set(k, pair.value);
      }
      keysOf.set(node, keys);
    }
    return keys.get(String(key));
  };
  return (path) => {
    let node: unknown = doc.contents;
    let line = lineOfNode(node, lines);
    for (const key of path) {
      node = child(node, key);
      const at = lineOfNode(node, lines);
      if (at === undefined) break;
      line = at;
    }
    return line;
  };
}

function lineOfNode(node: unknown, lines: LineCounter): number | undefined {
  return isNode(node) && (node as Node).range ? lines.linePos((node as Node).range![0]).line : undefined;
}
