/**
 * What `gradstream train` trains on, from whichever source the user named: a JSON data file (its inputs,
 * and its params as the starting point, absent ones drawn from the graph's init with the seed), a CSV
 * (`--label` column), or a generated dataset (a K-class spiral when the graph's targets have K rows).
 *
 * @example
 * const { inputs, params } = await loadTrainingData(graph, { dataset: "moons", m: 400, seed: 1 });
 */
import { extname } from "node:path";
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { loadData } from "./loadData.ts";
import { initParams } from "../data/initParams.ts";
import { generateDataset } from "../datasets/generateDataset.ts";
import { loadCsv } from "./loadCsv.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { bindTrainingSet } from "../train/bindTrainingSet.ts";
import { trainingRoles } from "../train/trainingRoles.ts";

export interface TrainingDataOptions {
  /** A JSON data file, or a CSV (by its .csv extension). */
  data?: string;
  /** Or a generated dataset's name. */
  dataset?: string;
  /** CSV: the label column. */
  label?: string;
  /** Generated: samples and noise. */
  m: number;
  noise?: number;
  seed: number;
  /** The bytes the data's numbers may take (default 1 GiB), and the command's check of m (see loadData). */
  maxMemory?: number;
  checkBatchSize?: (m: number, atLeast?: boolean) => void;
}

export interface TrainingData {
  inputs: Record<string, Tensor>;
  /** The params to start from. */
  params: Record<string, Tensor>;
  /** The labelled set, when the data came from a CSV or a generator (for class names in plots). */
  set?: LabelledSet;
  /** Where the data came from, for the report. */
  origin: string;
}

export async function loadTrainingData(graph: Graph, opts: TrainingDataOptions): Promise<TrainingData> {
  const paramIds = new Set(graph.params.map((p) => p.id));
  const limits = { maxMemory: opts.maxMemory, raise: "--max-memory", checkBatchSize: opts.checkBatchSize };
  if (opts.data && extname(opts.data).toLowerCase() !== ".csv") {
    const { values } = await loadData(opts.data, graph, opts.seed, limits);
    const inputs: Record<string, Tensor> = {}, params: Record<string, Tensor> = {};
    for (const [id, t] of values) (paramIds.has(id) ? params : inputs)[id] = t;
    return { inputs, params, origin: opts.data };
  }
  let set: LabelledSet;
  if (opts.data) set = await loadCsv(opts.data, { label: opts.label, ...limits });
  else {
    opts.checkBatchSize?.(opts.m);
    const roles = trainingRoles(graph);
    const rows = graph.shapes.get(roles.target)![0];
    // A softmax graph with K rows of targets gets a K-class spiral.
    set = generateDataset(opts.dataset!, { m: opts.m, seed: opts.seed, noise: opts.noise, classes: typeof rows === "number" && rows > 1 ? rows : 2 });
  }
  const params = Object.fromEntries(initParams(graph, opts.seed));
  return { inputs: bindTrainingSet(graph, set), params, set, origin: opts.data ?? `${set.name}, seed ${opts.seed}` };
}
