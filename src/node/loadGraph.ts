/**
 * Reads a `.yaml`, `.yml` or `.json` graph file from disk and parses it (validated, shapes inferred).
 * Node-only; in the browser the package's `loadGraph(url)` fetches (src/browser/loadGraph.ts).
 *
 * @example
 * const graph = await loadGraph("graphs/planar-tanh.yaml");
 */
import type { Graph } from "../graph/graph.ts";
import { graphFormatOf, MAX_GRAPH_FILE_BYTES, parseGraph } from "../graph/parseGraph.ts";
import { readText } from "./readText.ts";

export async function loadGraph(path: string): Promise<Graph> {
  const format = graphFormatOf(path);
  return parseGraph(await readText(path, MAX_GRAPH_FILE_BYTES), format, path);
}
