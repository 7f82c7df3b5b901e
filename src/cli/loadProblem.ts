/**
 * What most commands start with: the graph file, and values for its inputs and params, from `--data` or
 * random (batch size `--m`) when no data file is given. Before any tensor is allocated, what the command
 * will hold at that m (`plan`) is checked against `--max-memory`: for a data file as soon as its m can be
 * told, before the rest of its numbers are kept.
 */
import type { Graph } from "../graph/graph.ts";
import type { MemoryItem } from "../graph/memoryBudget.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { loadData } from "../node/loadData.ts";
import { randomBindings, type Bindings } from "../data/bindData.ts";
import { budgetCheck } from "./memoryPlans.ts";

export interface ProblemOptions {
  data?: string;
  seed: number;
  m: number;
  maxMemory: number;
}

export interface Problem extends Bindings {
  graph: Graph;
  /** Where the inputs came from, for the header line. */
  origin: string;
}

/** `holder` names the command in the over-budget message; `plan` is what it holds at batch size m. */
export async function loadProblem(graphPath: string, opts: ProblemOptions, holder: string, plan: (graph: Graph, m: number) => MemoryItem[]): Promise<Problem> {
  const graph = await loadGraphAndWarn(graphPath);
  const check = budgetCheck(graph, holder, opts.maxMemory, (m) => plan(graph, m), opts.data);
  if (opts.data) {
    const b = await loadData(opts.data, graph, opts.seed, { maxMemory: opts.maxMemory, raise: "--max-memory", checkBatchSize: check });
    return { graph, ...b, origin: opts.data };
  }
  check(opts.m);
  const b = randomBindings(graph, opts.m, opts.seed);
  return { graph, ...b, origin: `random inputs, seed ${opts.seed}` };
}
