/**
 * Stands in for `node:path` in the explorer page's bundle: only `extname`, which the graph reader uses.
 *
 * @example
 * extname("graphs/planar-tanh.yaml") // ".yaml"
 */
export function extname(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot) : "";
}
