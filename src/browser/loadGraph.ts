/**
 * The browser's `loadGraph`: fetches a `.yaml`, `.yml` or `.json` graph file by URL (relative URLs resolve
 * against the page) and parses it, exactly as the Node loader does with a path.
 *
 * @example
 * const graph = await loadGraph("./graphs/planar-tanh.yaml");
 */
import type { Graph } from "../graph/graph.ts";
import { graphFormatOf, MAX_GRAPH_FILE_BYTES, parseGraph } from "../graph/parseGraph.ts";
import { fetchText } from "./fetchText.ts";

export async function loadGraph(url: string): Promise<Graph> {
  const format = graphFormatOf(url);
  return parseGraph(await fetchText(url, MAX_GRAPH_FILE_BYTES), format, url);
}
