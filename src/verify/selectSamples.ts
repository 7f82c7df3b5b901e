/**
 * A new batch made of chosen samples of another: every input that carries samples (m in its columns) gets
 * the listed columns, in the listed order; params and sample-free inputs are kept. One function serves
 * slicing (one index), permuting (a permutation) and duplicating (each index twice).
 *
 * @example
 * selectSamples(graph, values, [2])          // sample 2 alone: m = 1
 * selectSamples(graph, values, [1, 0, 1, 0]) // m = 2 → 4, the batch twice in swapped order
 */
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { selectColumns } from "../tensor/selectColumns.ts";

export function selectSamples(graph: Graph, values: ReadonlyMap<string, Tensor>, indices: readonly number[]): Map<string, Tensor> {
  const out = new Map(values);
  for (const input of graph.inputs) {
    if (input.shape[1] !== "m") continue;
    const t = values.get(input.id)!;
    out.set(input.id, selectColumns(t, indices));
  }
  return out;
}
