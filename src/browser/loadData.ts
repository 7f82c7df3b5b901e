/**
 * The browser's `loadData`: fetches a JSON data file by URL and binds it to the graph, with the same
 * checks as the Node loader (see `bindData`).
 *
 * @example
 * const { values, m } = await loadData("./data/planar-small.json", graph);
 */
import type { Graph } from "../graph/graph.ts";
import { MAX_DATA_FILE_BYTES, parseData, type Bindings } from "../data/bindData.ts";
import { fetchText } from "./fetchText.ts";

export async function loadData(url: string, graph: Graph, seed = 1): Promise<Bindings> {
  return parseData(await fetchText(url, MAX_DATA_FILE_BYTES), graph, seed, url);
}
