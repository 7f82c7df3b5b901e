/**
 * What most commands start with: the graph file, and values for its inputs and params, from `--data` or
 * random (batch size `--m`) when no data file is given.
 */
import type { Graph } from "../graph/graph.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { loadData } from "../node/loadData.ts";
import { randomBindings, type Bindings } from "../data/bindData.ts";

export interface ProblemOptions {
  data?: string;
  seed: number;
  m: number;
}

export interface Problem extends Bindings {
  graph: Graph;
  /** Where the inputs came from, for the header line. */
  origin: string;
}

export async function loadProblem(graphPath: string, opts: ProblemOptions): Promise<Problem> {
  const graph = await loadGraphAndWarn(graphPath);
  if (opts.data) {
    const b = await loadData(opts.data, graph, opts.seed);
    return { graph, ...b, origin: opts.data };
  }
  const b = randomBindings(graph, opts.m, opts.seed);
  return { graph, ...b, origin: `random inputs, seed ${opts.seed}` };
}
