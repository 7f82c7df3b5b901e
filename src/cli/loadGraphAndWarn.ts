/**
 * The CLI's way to read a graph file: `loadGraph`, then its warnings (an unused param, a node that does not
 * reach the loss) printed on stderr. Warnings never change what the command does or its exit status.
 *
 * @example
 * const graph = await loadGraphAndWarn("my-graph.yaml"); // stderr: "my-graph.yaml: node W9: warning: …"
 */
import { formatIssue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { loadGraph } from "../node/loadGraph.ts";

export async function loadGraphAndWarn(path: string, warn: (line: string) => void = (line) => console.error(line)): Promise<Graph> {
  const graph = await loadGraph(path);
  for (const w of graph.warnings ?? []) warn(formatIssue(w));
  return graph;
}
