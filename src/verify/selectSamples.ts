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
import { type Tensor, tensor } from "../tensor/tensor.ts";

export function selectSamples(graph: Graph, values: ReadonlyMap<string, Tensor>, indices: readonly number[]): Map<string, Tensor> {
  const out = new Map(values);
  for (const input of graph.inputs) {
    if (input.shape[1] !== "m") continue;
    const t = values.get(input.id)!;
    out.set(input.id, selectColumns(t, indices));
  }
  return out;
}

/** The listed columns of a tensor, as a new tensor. */
export function selectColumns(t: Tensor, indices: readonly number[]): Tensor {
  const [r, c] = t.shape;
  const k = indices.length;
  const src = t.data;
  const data = new Float64Array(r * k);
  for (let i = 0; i < r; i++) {
    const row = i * c;
    for (let j = 0; j < k; j++) data[i * k + j] = src[row + indices[j]];
  }
  return tensor(r, k, data);
}
