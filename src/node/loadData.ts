/**
 * Reads a JSON data file from disk and binds it to a graph: every tensor checked, m read from the inputs,
 * absent params drawn from the graph's init with the seed (see `bindData`). The file is streamed into its
 * tensors (never held as text), within the memory budget (`maxMemory`, default 1 GiB) and the command's
 * own check of m (`checkBatchSize`). Node-only; in the browser the package's `loadData(url, graph)` fetches.
 *
 * @example
 * const { values, m } = await loadData("data/planar-small.json", graph, 1);
 */
import { extname } from "node:path";
import type { Graph } from "../graph/graph.ts";
import { GradstreamError } from "../errors.ts";
import { MAX_DATA_FILE_BYTES, completeBindings, type Bindings, type DataOptions } from "../data/bindData.ts";
import { dataFileReader, type DataFileContents } from "../data/dataFileReader.ts";
import { DEFAULT_MAX_MEMORY } from "../graph/memoryBudget.ts";
import { readChunks } from "./readChunks.ts";

export async function loadData(path: string, graph: Graph, seed = 1, options: DataOptions = {}): Promise<Bindings> {
  if (extname(path).toLowerCase() === ".csv") {
    throw new GradstreamError("USAGE", {
      file: path,
      message: "a CSV is training data: 'gradstream train <graph> --data file.csv [--label column]' reads it; this command reads a JSON data file " +
        '{ "inputs": { "X": [[…], …], "Y": [[…]] } }. To make one from the CSV: gradstream train <graph> --data file.csv --iterations 1 --out data.json ' +
        "(it holds the CSV's features and labels as the graph's inputs, and the params after one step)",
    });
  }
  return completeBindings(await readDataFile(path, graph, options), graph, seed, path);
}

/**
 * The tensors a data file holds, as it gives them (no params drawn, shapes not yet checked against the
 * graph), and its mistakes; `loadData` completes them into bindings.
 */
export async function readDataFile(path: string, graph: Graph, options: DataOptions = {}): Promise<DataFileContents> {
  const reader = dataFileReader(graph, { ...options, maxMemory: options.maxMemory ?? DEFAULT_MAX_MEMORY, file: path });
  await readChunks(path, MAX_DATA_FILE_BYTES, (bytes) => reader.write(bytes));
  return reader.end();
}
