/**
 * Per-sample gradients from one batched backward pass (the outer-product method of Opacus). The batch
 * backward gives G = dJ/dZ for every node Z that reads a param. For a column-wise graph with J = mean(L),
 * column i of G is (1/m)·∂Lᵢ/∂zᵢ, so sample i's gradient at Z is m·G[:, i] (for J = sum(L), G[:, i] itself;
 * in general m^(1−k) with k from `sampleStructure`). From it, per sample:
 *
 * - `linear` W·X + b and `matmul` W·X: dWᵢ = dZᵢ·xᵢᵀ (an outer product), dbᵢ = dZᵢ;
 * - any other column-wise op (the broadcast `add`, `sub`, `mul` of a `[n,1]` param, ...): the op's own
 *   backward applied to column i alone, which is exact because the op treats each column on its own.
 *
 * A param used several times gets the sum over its uses. The result is ∇Lᵢ, the unscaled per-sample
 * gradient, as by slicing (for a `weighted_mean` cost too: it is read from the backward of the graph with
 * a plain mean in its place, so a masked sample's ∇Lᵢ is not lost to its weight 0). Samples are produced in chunks, so memory beyond the batch's own activations
 * (and dJ/dZ at the nodes that read params) is bounded by chunkSize × (number of param entries), not by m;
 * with `reuseBuffers` it is exactly one chunk.
 *
 * The scale m^(1−k) is taken from the ops' declared `explain.mPower`, and G from their backward, so these
 * per-sample gradients inherit the backward's scaling: if a reduction's backward applies 1/m twice, they are
 * 1/m too small, like the batch gradient. Slicing (at m = 1) and finite differences do not inherit it.
 *
 * Refused (GradstreamError "USAGE", naming the node) when samples are coupled, when the reductions scale
 * differently, or when a param feeds a node that carries no samples (use perSampleGradsBySlicing there).
 *
 * @example
 * for (const chunk of perSampleGradsVectorised(graph, values, { chunkSize: 32 })) {
 *   chunk.grads.get("W1") // 32 gradients ∇L_W1, sample chunk.start first
 * }
 */
import { GradstreamError } from "../errors.ts";
import { type Graph, hasBatchDim } from "../graph/graph.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { getOp } from "../ops/registry.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { scale } from "../tensor/kernels.ts";
import { chunksToFill, type PerSampleChunk, type PerSampleOptions } from "./perSampleChunk.ts";
import { sampleStructure } from "./sampleStructure.ts";
import { selectColumns } from "../tensor/selectColumns.ts";
import { withoutWeights } from "./sampleWeights.ts";

interface ParamUse {
  node: string;
  slot: number;
}

export function* perSampleGradsVectorised(weightedGraph: Graph, values: ReadonlyMap<string, Tensor>, opts: PerSampleOptions = {}): Generator<PerSampleChunk> {
  const refuse = (node: string | undefined, message: string) => new GradstreamError("USAGE", { file: weightedGraph.source, node, message });
  const weightedStructure = sampleStructure(weightedGraph);
  const coupled = weightedStructure.coupling[0];
  if (coupled) throw refuse(coupled.node, `per-sample gradients are not defined: node '${coupled.node}' (${coupled.op}) couples samples: ${coupled.reason}`);
  if (weightedStructure.scalePower === undefined) throw refuse(undefined, `per-sample gradients cannot be read from the batch backward: ${weightedStructure.scaleNote}`);
  // Column i of a weighted mean's dJ/dZ is (wᵢ/Σw)·∂Lᵢ/∂zᵢ, which loses ∇Lᵢ where wᵢ = 0: read it from the
  // backward of the same graph with a plain mean instead, whose column i is (1/m)·∂Lᵢ/∂zᵢ for every sample.
  const graph = withoutWeights(weightedGraph);
  const structure = sampleStructure(graph);
  const { m } = bindShapes(graph, values);
  const params = opts.params ?? graph.params.map((p) => p.id);

  const uses = params.map((id) => {
    const list: ParamUse[] = [...(graph.consumers.get(id) ?? [])];
    for (const u of list) {
      if (!hasBatchDim(graph.shapes.get(u.node)!)) {
        throw refuse(u.node, `param '${id}' feeds node '${u.node}', which carries no samples; the vectorised method reads per-sample gradients only at nodes that do (perSampleGradsBySlicing handles this graph)`);
      }
    }
    return list;
  });
  const useNodes = new Set(uses.flat().map((u) => u.node));
  const computed = forward(graph, values);
  // Only dJ/dZ at the nodes that read params: the batch dW = dZ·Xᵀ itself is never formed.
  const G = backward(graph, computed, useNodes);
  const perSampleScale = m ** (1 - (structure.scalePower ?? weightedStructure.scalePower));

  for (const { start, count, sizes, buffers } of chunksToFill(values, params, m, opts)) {
    const grads = new Map<string, Float64Array>();
    params.forEach((id, p) => {
      const out = buffers[p];
      // The first use writes its gradients, later uses add theirs: no separate pass to clear the buffer.
      let written = false;
      for (const use of uses[p]) {
        const g = G.get(use.node);
        if (g) written = writeUse(graph, computed, use, g, perSampleScale, start, count, out, sizes[p], written);
      }
      if (!written) out.fill(0); // a reused buffer still holds the previous chunk
      grads.set(id, out);
    });
    yield { start, count, grads };
  }
}

/**
 * Writes (or, when `add`, adds) the per-sample gradients of one param use for samples start … start+count−1
 * into `out`. Returns true: `out` now holds gradients.
 */
function writeUse(graph: Graph, values: ReadonlyMap<string, Tensor>, use: ParamUse, G: Tensor, s: number, start: number, count: number, out: Float64Array, size: number, add: boolean): true {
  const node = graph.nodes.find((n) => n.id === use.node)!;
  const isWeight = (node.op === "linear" || node.op === "matmul") && use.slot === 0;
  if (isWeight) return outerProducts(G, values.get(node.in[1])!, s, start, count, out, add);
  if (node.op === "linear" && use.slot === 2) return columns(G, s, start, count, out, add);
  // Any other column-wise op: its own backward on the one-column slice is the per-sample gradient.
  if (!add) out.fill(0);
  const op = getOp(node.op)!;
  const column = (id: string, t: Tensor, j: number) => (hasBatchDim(graph.shapes.get(id)!) ? selectColumns(t, [j]) : t);
  for (let i = 0; i < count; i++) {
    const j = start + i;
    const ctx = {
      inputs: node.in.map((id) => column(id, values.get(id)!, j)),
      output: selectColumns(values.get(node.id)!, [j]),
      grad: scale(selectColumns(G, [j]), s),
      attrs: node.attrs,
    };
    const d = op.backward[use.slot](ctx).data;
    for (let k = 0, o = i * size; k < size; k++) out[o + k] += d[k];
  }
  return true;
}

/** out[i] (+)= (s·G[:, j])·X[:, j]ᵀ for j = start + i: the per-sample dW of Z = W·X. */
function outerProducts(G: Tensor, X: Tensor, s: number, start: number, count: number, out: Float64Array, add: boolean): true {
  const [n, m] = G.shape;
  const k = X.shape[0];
  const g = G.data, x = X.data;
  // Gather the chunk's columns of X as contiguous rows, so the inner loop runs along memory.
  const xs = new Float64Array(count * k);
  for (let c = 0; c < k; c++) for (let i = 0; i < count; i++) xs[i * k + c] = x[c * m + start + i];
  const n4 = n - (n % 4);
  for (let i = 0; i < count; i++) {
    const base = i * n * k;
    const xi = i * k;
    const j = start + i;
    // Four rows of dWᵢ per pass over xᵢ: each x value loaded once feeds four stores (about twice as fast as
    // one row at a time); the loop is bound by writing the m × |W| entries.
    for (let r = 0; r < n4; r += 4) {
      const g0 = s * g[r * m + j], g1 = s * g[(r + 1) * m + j], g2 = s * g[(r + 2) * m + j], g3 = s * g[(r + 3) * m + j];
      const o0 = base + r * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
      if (add) {
        for (let c = 0; c < k; c++) {
          const v = xs[xi + c];
          out[o0 + c] += g0 * v; out[o1 + c] += g1 * v; out[o2 + c] += g2 * v; out[o3 + c] += g3 * v;
        }
      } else {
        for (let c = 0; c < k; c++) {
          const v = xs[xi + c];
          out[o0 + c] = g0 * v; out[o1 + c] = g1 * v; out[o2 + c] = g2 * v; out[o3 + c] = g3 * v;
        }
      }
    }
    for (let r = n4; r < n; r++) {
      const gr = s * g[r * m + j];
      const o = base + r * k;
      if (add) for (let c = 0; c < k; c++) out[o + c] += gr * xs[xi + c];
      else for (let c = 0; c < k; c++) out[o + c] = gr * xs[xi + c];
    }
  }
  return true;
}

/** out[i] (+)= s·G[:, j] for j = start + i: the per-sample db of Z = W·X + b. */
function columns(G: Tensor, s: number, start: number, count: number, out: Float64Array, add: boolean): true {
  const [n, m] = G.shape;
  const g = G.data;
  for (let i = 0; i < count; i++) for (let r = 0; r < n; r++) out[i * n + r] = (add ? out[i * n + r] : 0) + s * g[r * m + start + i];
  return true;
}
