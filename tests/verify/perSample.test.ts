/**
 * Per-sample gradients, both ways, against the course's formulas for one sample written out by hand
 * (planar classifier: dZ2 = A2 − Y, dW2 = dZ2·A1ᵀ, db2 = dZ2, dZ1 = W2ᵀdZ2 ⊙ (1 − A1²), dW1 = dZ1·Xᵀ,
 * db1 = dZ1), and against each other on graphs that meet their params in every supported way.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { randomBindings, bindData } from "../../src/data/bindData.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import type { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { GradstreamError } from "../../src/errors.ts";
import { perSampleGradsBySlicing } from "../../src/verify/perSampleBySlicing.ts";
import { perSampleGradsVectorised } from "../../src/verify/perSampleVectorised.ts";
import { collectChunks, meanOfChunks } from "../../src/verify/perSampleChunk.ts";
import { relativeDifference } from "../../src/verify/relativeDifference.ts";
import { withSumCost } from "../../src/verify/sumCost.ts";

const GRAPHS = fileURLToPath(new URL("../../graphs/", import.meta.url));
const at = (t: Tensor, i: number, j: number) => t.data[i * t.shape[1] + j];

/** The course's backward for one sample j of the planar classifier, in plain loops. */
function planarSampleGrads(v: ReadonlyMap<string, Tensor>, j: number): Record<string, number[]> {
  const [X, Y, W1, b1, W2, b2] = ["X", "Y", "W1", "b1", "W2", "b2"].map((id) => v.get(id)!);
  const x = [at(X, 0, j), at(X, 1, j)];
  const a1 = [0, 1, 2, 3].map((r) => Math.tanh(at(W1, r, 0) * x[0] + at(W1, r, 1) * x[1] + b1.data[r]));
  const z2 = a1.reduce((s, a, r) => s + W2.data[r] * a, b2.data[0]);
  const a2 = 1 / (1 + Math.exp(-z2));
  const dz2 = a2 - at(Y, 0, j);
  const dz1 = a1.map((a, r) => W2.data[r] * dz2 * (1 - a * a));
  return { W1: dz1.flatMap((d) => [d * x[0], d * x[1]]), b1: dz1, W2: a1.map((a) => dz2 * a), b2: [dz2] };
}

describe("per-sample gradients of the planar classifier", async () => {
  const graph = await loadGraph(GRAPHS + "planar-tanh.yaml");
  // params of a visible size, so the gradients are far from zero
  const { values } = randomBindings(graph, 7, 3);
  for (const id of ["W1", "W2"]) values.get(id)!.data.forEach((_, i, a) => (a[i] = Math.sin(3 * i + id.length)));

  for (const [way, method] of [["by slicing", perSampleGradsBySlicing], ["vectorised", perSampleGradsVectorised]] as const) {
    it(`${way}: equal the course's per-sample formulas (∇Lᵢ, no 1/m)`, () => {
      const per = collectChunks(method(graph, values, { chunkSize: 3 }), graph);
      for (let j = 0; j < 7; j++) {
        const expected = planarSampleGrads(values, j);
        for (const id of ["W1", "b1", "W2", "b2"]) expect(relativeDifference(per.get(id)![j].data, Float64Array.from(expected[id])), `${id} sample ${j}`).toBeLessThan(1e-13);
      }
    });
  }

  it("do not depend on the chunk size, nor on reusing the chunk buffers", () => {
    for (const method of [perSampleGradsBySlicing, perSampleGradsVectorised]) {
      const reference = collectChunks(method(graph, values, { chunkSize: 64 }), graph);
      for (const chunkSize of [1, 2, 3, 7]) {
        const chunks = [...method(graph, values, { chunkSize })];
        expect(chunks.map((c) => [c.start, c.count])).toEqual(Array.from({ length: Math.ceil(7 / chunkSize) }, (_, i) => [i * chunkSize, Math.min(chunkSize, 7 - i * chunkSize)]));
        const per = collectChunks(chunks, graph);
        const reusing = collectChunks(method(graph, values, { chunkSize, reuseBuffers: true }), graph);
        for (const id of ["W1", "b1", "W2", "b2"]) {
          expect(per.get(id)!.map((t) => Array.from(t.data))).toEqual(reference.get(id)!.map((t) => Array.from(t.data)));
          expect(reusing.get(id)!.map((t) => Array.from(t.data))).toEqual(reference.get(id)!.map((t) => Array.from(t.data)));
        }
      }
    }
  });

  it("average to the batch gradient", () => {
    const batch = backward(graph, forward(graph, values));
    for (const method of [perSampleGradsBySlicing, perSampleGradsVectorised]) {
      const mean = meanOfChunks(method(graph, values), graph);
      for (const id of ["W1", "b1", "W2", "b2"]) expect(relativeDifference(mean.get(id)!, batch.get(id)!)).toBeLessThan(1e-13);
    }
  });

  it("are the same ∇Lᵢ for the cost summed over the samples (whose batch gradient is their sum)", () => {
    const summed = withSumCost(graph)!;
    const a = collectChunks(perSampleGradsVectorised(summed, values), summed);
    const b = collectChunks(perSampleGradsBySlicing(graph, values), graph);
    for (const id of ["W1", "b1", "W2", "b2"]) for (let j = 0; j < 7; j++) expect(relativeDifference(a.get(id)![j], b.get(id)![j])).toBeLessThan(1e-13);
  });
});

const inline = (body: string) => parseGraph(`gradstream: 1\nname: t\n${body}\nloss: J`, "yaml", "t.yaml");
const agree = (graph: Graph, values: ReadonlyMap<string, Tensor>) => {
  const a = collectChunks(perSampleGradsVectorised(graph, values, { chunkSize: 4 }), graph);
  const b = collectChunks(perSampleGradsBySlicing(graph, values, { chunkSize: 4 }), graph);
  for (const p of graph.params) for (let j = 0; j < b.get(p.id)!.length; j++) expect(relativeDifference(a.get(p.id)![j], b.get(p.id)![j]), `${p.id} sample ${j}`).toBeLessThan(1e-13);
};

describe("vectorised = slicing, sample by sample", () => {
  it("for params met through matmul, a broadcast add, sub and mul, and a weight used in two layers (5 rows: a block of four and a rest)", () => {
    const graph = inline(`inputs:
  X: { shape: [5, m] }
  Y: { shape: [5, m] }
params:
  W: { shape: [5, 5], init: { normal: 0.6 } }
  b: { shape: [5, 1], init: { normal: 0.3 } }
  c: { shape: [5, 1], init: { normal: 0.3 } }
  g: { shape: [5, 1], init: { uniform: [0.5, 1.5] } }
nodes:
  P1: { op: matmul, in: [W, X] }
  Z1: { op: add, in: [P1, b] }
  S1: { op: mul, in: [Z1, g] }
  A1: { op: tanh, in: [S1] }
  P2: { op: matmul, in: [W, A1] }
  Z2: { op: sub, in: [P2, c] }
  L: { op: softmax_cross_entropy, in: [Z2, Y] }
  J: { op: mean, in: [L] }`);
    agree(graph, randomBindings(graph, 9, 2).values);
  });
});

describe("the vectorised method refuses, naming the node, where it cannot apply", () => {
  it("a graph that couples samples", async () => {
    const graph = await loadGraph(GRAPHS + "coupled-batchnorm.yaml");
    const run = () => [...perSampleGradsVectorised(graph, randomBindings(graph, 4, 1).values)];
    expect(run).toThrow(GradstreamError);
    expect(run).toThrow("per-sample gradients are not defined: node 'C' (center_batch) couples samples");
  });

  it("a param that feeds a node without samples; slicing handles it", () => {
    const graph = inline(`inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W: { shape: [1, 2], init: { normal: 1 } }
  s: { shape: [1, 1], init: { normal: 1 } }
nodes:
  W2: { op: mul, in: [W, s] }
  Z: { op: matmul, in: [W2, X] }
  L: { op: bce_logits, in: [Z, Y] }
  J: { op: mean, in: [L] }`);
    const { values } = bindData({ inputs: { X: [[1, 2, -1], [0.5, -1, 2]], Y: [[1, 0, 1]] }, params: { W: [[0.3, -0.7]], s: [[1.5]] } }, graph);
    try {
      [...perSampleGradsVectorised(graph, values)];
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GradstreamError);
      expect((e as GradstreamError).issues[0]).toMatchObject({ node: "W2", message: expect.stringContaining("param 'W' feeds node 'W2', which carries no samples") });
    }
    const batch = backward(graph, forward(graph, values));
    const mean = meanOfChunks(perSampleGradsBySlicing(graph, values), graph);
    for (const id of ["W", "s"]) expect(relativeDifference(mean.get(id)!, batch.get(id)!)).toBeLessThan(1e-14);
  });
});
