/**
 * Per-sample gradients by slicing: the graph is evaluated on each sample alone (a batch of m = 1) and
 * differentiated there. Sample i's gradient is that of the cost of the one-sample batch {xᵢ}, which for a
 * `mean` or a `sum` cost is ∇Lᵢ, the unscaled per-sample gradient (no 1/m: at m = 1 there is none). This
 * is the reference the vectorised method is checked against: it needs nothing but the graph's own forward
 * and backward, at the cost of m small passes.
 *
 * @example
 * for (const chunk of perSampleGradsBySlicing(graph, values, { chunkSize: 8 })) {
 *   chunk.grads.get("W1") // 8 gradients ∇L_W1 of samples chunk.start … chunk.start + 7, one after another
 * }
 */
import type { Graph } from "../graph/graph.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { chunksToFill, type PerSampleChunk, type PerSampleOptions } from "./perSampleChunk.ts";
import { selectSamples } from "./selectSamples.ts";
import { withoutWeights } from "./sampleWeights.ts";

export function* perSampleGradsBySlicing(weightedGraph: Graph, values: ReadonlyMap<string, Tensor>, opts: PerSampleOptions = {}): Generator<PerSampleChunk> {
  const { m } = bindShapes(weightedGraph, values);
  // A sample's own cost is Lᵢ whatever its weight in a `weighted_mean` (even a masked sample's 0).
  const graph = withoutWeights(weightedGraph);
  const params = opts.params ?? graph.params.map((p) => p.id);
  for (const { start, count, sizes, buffers } of chunksToFill(values, params, m, opts)) {
    for (let i = 0; i < count; i++) {
      const one = selectSamples(graph, values, [start + i]);
      const grads = backward(graph, forward(graph, one), params);
      params.forEach((id, p) => {
        const g = grads.get(id);
        if (g) buffers[p].set(g.data, i * sizes[p]);
        else buffers[p].fill(0, i * sizes[p], (i + 1) * sizes[p]); // the loss does not depend on it
      });
    }
    yield { start, count, grads: new Map(params.map((id, p) => [id, buffers[p]])) };
  }
}
