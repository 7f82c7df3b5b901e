/**
 * What each command holds in memory at batch size m, item by item, for the budget check that runs before it
 * allocates anything (`--max-memory`, default 1 GiB; see src/graph/memoryBudget.ts). The figures are the
 * tensors the command keeps at once; short-lived copies inside one op are not counted.
 *
 * @example
 * const check = budgetCheck(graph, "grad", opts.maxMemory, (m) => gradPlan(graph, m, opts));
 * check(64); // throws GradstreamError "MEMORY" when over
 */
import type { Graph } from "../graph/graph.ts";
import { hasBatchDim } from "../graph/graph.ts";
import { checkMemoryBudget, floatsItem, jsonTextItem, paramEntries, runtimeItems, shapeAt, tensorItems, type MemoryItem } from "../graph/memoryBudget.ts";
import { chunkSizeFor } from "../verify/perSampleChunk.ts";

/** The JSON text of the tensors of `items`. */
function jsonItem(what: string, items: readonly MemoryItem[]): MemoryItem {
  return jsonTextItem(what, items.reduce((n, i) => n + (i.elements ?? 0), 0));
}

/** `run`: the value of every input, param and node. */
export function runPlan(graph: Graph, m: number, opts: { json?: boolean }): MemoryItem[] {
  const values = tensorItems(graph, m, "value");
  return opts.json ? [...values, jsonItem("--json output", values)] : values;
}

/** `grad` (and `render` with values): every value and every gradient; dls adds the rescaled per-sample ones. */
export function gradPlan(graph: Graph, m: number, opts: { json?: boolean; convention?: string }): MemoryItem[] {
  const items = [...tensorItems(graph, m, "value"), ...tensorItems(graph, m, "gradient")];
  if (opts.convention === "dls") items.push(...tensorItems(graph, m, "per-sample gradient (dls)").filter((i) => hasBatchDim(graph.shapes.get(i.node!)!)));
  return opts.json ? [...items, jsonItem("--json output", items)] : items;
}

/**
 * `check` at its largest m: the batch's values and gradients, those of the doubled batch (2m), a chunk of
 * per-sample gradients from each of the two methods, and four param-sized sums.
 */
export function checkPlan(graph: Graph, m: number, opts: { chunk?: number }): MemoryItem[] {
  const entries = paramEntries(graph);
  const chunk = Math.min(m, chunkSizeFor({ chunkSize: opts.chunk }, entries));
  return [
    ...tensorItems(graph, m, "value"),
    ...tensorItems(graph, m, "gradient"),
    ...tensorItems(graph, 2 * m, "value (doubled batch)"),
    ...tensorItems(graph, 2 * m, "gradient (doubled batch)"),
    floatsItem(`two chunks of ${chunk} per-sample gradients`, 2 * chunk * entries),
    floatsItem("four sums of per-sample gradients", 4 * entries),
  ];
}

/**
 * `split` into K parts: the batch's values and gradients, one part's values and gradients at a time (at most
 * the batch's), and each part's param gradients, kept for the three rules and their sums.
 */
export function splitPlan(graph: Graph, m: number, parts: number): MemoryItem[] {
  return [
    ...tensorItems(graph, m, "value"),
    ...tensorItems(graph, m, "gradient"),
    ...tensorItems(graph, m, "a part's value"),
    ...tensorItems(graph, m, "a part's gradient"),
    floatsItem(`the param gradients of ${parts} parts, and the three rules' sums`, (parts + 3) * paramEntries(graph)),
  ];
}

/** `watch`: the reactive runtime (values and gradients, and the previous ones during a transaction). */
export function watchPlan(graph: Graph, m: number): MemoryItem[] {
  // and the from-scratch evaluation every edit gets before it is taken (evaluateFinite)
  return [...runtimeItems(graph, m), ...tensorItems(graph, m, "checked value"), ...tensorItems(graph, m, "checked gradient")];
}

export interface TrainPlanOptions {
  optimizer: string;
  steps: number;
  batchSize?: number;
  out?: string;
  /** The data came from a CSV: its labels and line numbers are kept too. */
  csv?: boolean;
  /** Worker threads: each holds its shard's runtime (together about one batch) and its own params and gradients. */
  workers?: number;
}

/**
 * `train` on m samples: the runtime at m (it starts on the whole set), a mini-batch's inputs, the optimizer's
 * state (the next step's params, and 1 moment per param for momentum, 2 for adam), the cost of every
 * iteration, a CSV's labels, and the `--out` file as JSON text.
 */
export function trainPlan(graph: Graph, m: number, opts: TrainPlanOptions): MemoryItem[] {
  const entries = paramEntries(graph);
  const moments = opts.optimizer === "adam" ? 2 : opts.optimizer === "momentum" ? 1 : 0;
  const items = [
    ...runtimeItems(graph, m),
    floatsItem(`optimizer state: the next params${moments ? ` and ${moments} moment${moments > 1 ? "s" : ""} per param` : ""}`, (1 + moments) * entries),
    floatsItem(`the cost of each of the ${opts.steps} iterations`, opts.steps),
  ];
  if (opts.batchSize !== undefined && opts.batchSize < m) {
    const batch = graph.inputs.reduce((n, d) => n + shapeAt(d.shape, opts.batchSize!).reduce((a, b) => a * b), 0);
    items.push(floatsItem(`a mini-batch of ${opts.batchSize} samples`, batch));
  }
  if (opts.csv) items.push(floatsItem("the CSV's labels and line numbers", 1.5 * m));
  if (opts.workers) items.push(floatsItem(`the params and gradients of each of ${opts.workers} workers, and the batch's shards sent to them`, 2 * opts.workers * entries + graph.inputs.reduce((n, d) => n + shapeAt(d.shape, m).reduce((a, b) => a * b), 0)));
  if (opts.out) {
    const data = tensorItems(graph, m, "value").filter((i) => graph.kinds.get(i.node!) !== "node");
    items.push(jsonItem(`${opts.out} as JSON text`, data));
  }
  return items;
}

/**
 * The check a command runs before allocating, once m is known: its plan at m against `maxMemory`. `mFrom`
 * says where m came from, for the message.
 */
export function budgetCheck(graph: Graph, holder: string, maxMemory: number, plan: (m: number) => MemoryItem[], mFrom?: string): (m: number, atLeast?: boolean) => void {
  return (m, atLeast) => checkMemoryBudget(plan(m), { max: maxMemory, file: graph.source, holder, m, atLeast, mFrom, raise: "--max-memory" });
}
