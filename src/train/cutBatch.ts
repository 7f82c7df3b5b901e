/**
 * A batch cut in order into nearly equal parts — the micro-batches of gradient accumulation, the shards of
 * data-parallel workers — each with the items it holds (its samples, or for a `weighted_mean` cost the sum
 * of its samples' weights), and the refusal of a graph whose parts' gradients do not add up to the batch's.
 *
 * @example
 * cutBatch(graph, { X, Y, M }, params, 2) // [{ inputs: { X: [4,16], … }, items: 3 }, { inputs: …, items: 13 }]
 */
import { GradstreamError } from "../errors.ts";
import { type Graph, hasBatchDim } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { selectColumns } from "../tensor/selectColumns.ts";
import { evenSizes, fittingRule } from "../verify/combineRule.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { itemsIn, valueOf } from "../verify/sampleWeights.ts";

export interface BatchPart {
  /** The batch's inputs, those that carry samples cut to this part's columns (the batch's own when whole). */
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly items: number;
}

/** The batch in `parts` nearly equal parts of its samples, in order (fewer when it has fewer samples). */
export function cutBatch(graph: Graph, inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>, parts: number): BatchPart[] {
  const batchIds = graph.inputs.filter((d) => hasBatchDim(d.shape)).map((d) => d.id);
  const m = batchIds.length ? inputs[batchIds[0]].shape[1] : 1;
  const weights = weightsOf(graph, inputs, params);
  // One part is the batch itself: no copy, and the same tensors, so nothing is set or sent again.
  if (Math.min(parts, m) === 1) return [{ inputs, items: itemsIn(weights, 0, m) }];
  let start = 0;
  return evenSizes(m, Math.min(parts, m)).map((count) => {
    const columns = Array.from({ length: count }, (_, i) => start + i);
    const part = { ...inputs };
    for (const id of batchIds) part[id] = selectColumns(inputs[id], columns);
    const items = itemsIn(weights, start, count);
    start += count;
    return { inputs: part, items };
  });
}

/** The items in a batch: its samples, or the sum of their weights for a weighted cost. */
export function batchItems(graph: Graph, inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): number {
  const batched = graph.inputs.find((d) => hasBatchDim(d.shape));
  return itemsIn(weightsOf(graph, inputs, params), 0, batched ? inputs[batched.id].shape[1] : 1);
}

/** A weighted cost's weights for the batch's samples (an input, or computed from the inputs). */
function weightsOf(graph: Graph, inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): Float64Array | undefined {
  const id = sampleStructure(graph).weights;
  return id === undefined ? undefined : valueOf(graph, new Map(Object.entries({ ...inputs, ...params })), id).data;
}

/**
 * Why parts of a batch cannot be combined into the batch's gradient for this graph (its samples are
 * coupled, or its cost is no mean or sum of per-sample costs), as the error to throw; undefined when they can.
 * `what` names who splits: "gradient accumulation", "data-parallel workers".
 */
export function cannotSplit(graph: Graph, what: string): GradstreamError | undefined {
  const structure = sampleStructure(graph);
  const c = structure.coupling[0];
  if (fittingRule(structure) && !c) return undefined;
  const why = c ? `node '${c.node}' (${c.op}) couples samples, so a part's gradient is not a share of the batch's` : `no combination of parts reproduces this cost: ${structure.scaleNote}`;
  return new GradstreamError("USAGE", { file: graph.source, node: c?.node, message: `${what} needs a cost that is a mean or a sum of per-sample costs: ${why}` });
}
