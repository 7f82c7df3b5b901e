/**
 * How much each sample counts in a cost: 1 for a `mean` or `sum` over the samples, wᵢ for a
 * `weighted_mean` (the number of items sample i holds: 0 for padding). Per-sample gradients ∇Lᵢ do not
 * depend on the weights; the batch gradient is their w-weighted mean Σᵢ wᵢ·∇Lᵢ / Σᵢ wᵢ, and a part of the
 * batch holds the items its samples' weights add up to.
 *
 * @example
 * sampleWeights(maskedItems, values)  // Float64Array [1, 0, 0, …]: the mask M
 * sampleWeights(planarTanh, values)   // undefined: every sample weighs 1
 * itemsIn(weights, 0, 16)             // Σ of the first 16 weights (16 without weights)
 */
import type { Graph, NodeDecl } from "../graph/graph.ts";
import { forwardNode } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { sampleStructure } from "./sampleStructure.ts";

/** The weights of the cost's weighted reduction, one per sample; undefined when the cost has none. */
export function sampleWeights(graph: Graph, values: ReadonlyMap<string, Tensor>): Float64Array | undefined {
  const id = sampleStructure(graph).weights;
  return id === undefined ? undefined : Float64Array.from(valueOf(graph, values, id).data);
}

/** The items in samples start … start + count − 1: the sum of their weights, or count without weights. */
export function itemsIn(weights: Float64Array | undefined, start: number, count: number): number {
  if (!weights) return count;
  let s = 0;
  for (let j = start; j < start + count; j++) s += weights[j];
  return s;
}

/**
 * The value of one id, computing only what it depends on (the weights are usually an input, read as
 * given; a computed mask costs its own cone, not a forward pass of the network).
 */
export function valueOf(graph: Graph, values: ReadonlyMap<string, Tensor>, id: string): Tensor {
  const known = new Map(values);
  const visit = (x: string): Tensor => {
    const have = known.get(x);
    if (have) return have;
    const node = graph.nodes.find((n) => n.id === x)!;
    for (const ref of node.in) visit(ref);
    const t = forwardNode(graph, node, known);
    known.set(x, t);
    return t;
  };
  return visit(id);
}

/**
 * The graph with each weighted reduction replaced by a plain `mean` of its values. Evaluated on one
 * sample its cost is Lᵢ whatever that sample's weight (even 0), so it is what per-sample gradients ∇Lᵢ
 * are taken of; the weights come back when they are combined.
 */
export function withoutWeights(graph: Graph): Graph {
  const { reductions } = sampleStructure(graph);
  const weighted = new Set(reductions.filter((r) => r.weights !== undefined).map((r) => r.node));
  if (weighted.size === 0) return graph;
  // `mean` of operand 0 has the weighted mean's shape rule and output; only the weights lose a reader.
  const nodes: NodeDecl[] = graph.nodes.map((n) => (weighted.has(n.id) ? { ...n, op: "mean", in: [n.in[0]] } : n));
  const consumers = new Map<string, { node: string; slot: number }[]>();
  for (const id of graph.kinds.keys()) consumers.set(id, []);
  for (const node of nodes) node.in.forEach((ref, slot) => consumers.get(ref)!.push({ node: node.id, slot }));
  return { ...graph, name: `${graph.name} (unweighted)`, nodes, consumers };
}
