/**
 * Reads a JSON data file from disk and binds it to a graph: every tensor checked, m read from the inputs,
 * absent params drawn from the graph's init with the seed (see `bindData`). Node-only; in the browser the
 * package's `loadData(url, graph)` fetches.
 *
 * @example
 * const { values, m } = await loadData("data/planar-small.json", graph, 1);
 */
import type { Graph } from "../graph/graph.ts";
import { MAX_DATA_FILE_BYTES, parseData, type Bindings } from "../data/bindData.ts";
import { readText } from "./readText.ts";

export async function loadData(path: string, graph: Graph, seed = 1): Promise<Bindings> {
  return parseData(await readText(path, MAX_DATA_FILE_BYTES), graph, seed, path);
}
