/**
 * The backward equations of a graph, node by node, in two conventions, and where the 1/m enters.
 *
 * - autodiff: every quantity is dJ/dx. The `mean` node multiplies by 1/m once; every gradient upstream of
 *   it carries that factor.
 * - dls (the course's): per-sample tensors (those with m columns) get ∂L/∂x = m·dJ/dx, which has no 1/m;
 *   params keep dJ/dx. The 1/m then appears in every equation that sums a per-sample gradient over the
 *   samples into a param's: dW = (1/m)·dZ·A_prevᵀ, db = (1/m)·Σ dZ.
 *
 * The factor of each equation is computed, not written by hand: if an op's own backward carries m^k
 * (k = −1 for `mean`), the dls equation carries m^(k + [target has m] − [output has m]).
 *
 * For a cost averaged over items rather than samples (`weighted_mean(L, M)`, a 0/1 mask or item counts M)
 * the 1/m becomes 1/ΣM: the same equations hold with ΣM in the place of m, the course's per-sample dZ being
 * ΣM·dJ/dZ = M ⊙ ∂L/∂Z (each sample's derivative times its weight).
 *
 * @example
 * explainGraph(graph).nodes.find((n) => n.id === "Z1")!.backward[0].dls // "dW1 = (1/m)·dZ1·Xᵀ"
 */
import { getOp } from "../ops/registry.ts";
import type { Shape } from "../ops/op.ts";
import { type Graph, type NodeDecl, hasBatchDim } from "./graph.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";

export interface Equation {
  /** The operand the gradient flows to. */
  target: string;
  autodiff: string;
  dls: string;
  /** The power of m each form carries (−1 is a 1/m). */
  mPower: { autodiff: number; dls: number };
}

export interface NodeExplanation {
  id: string;
  op: string;
  operands: string[];
  shape: string;
  forward: string;
  backward: Equation[];
  /** This node applies the 1/m of the cost (a `mean` reduction over the samples). */
  oneOverM: boolean;
  /** For a `weighted_mean` over the samples: the ΣM it divides by instead ("ΣM"). */
  oneOverSum?: string;
}

export interface Explanation {
  graph: string;
  loss: string;
  /** The nodes where the 1/m enters (the `mean` reductions). */
  meanNodes: string[];
  /** The nodes where a 1/Σw enters instead (`weighted_mean` reductions over the samples), with their weights. */
  weightedNodes: { node: string; values: string; weights: string }[];
  /** What the cost divides by: "m", or "ΣM" for a mean over the items that the weights M count. */
  normaliser: string;
  /** Nodes in backward order: the loss first. */
  nodes: NodeExplanation[];
  summary: string[];
}

export function explainGraph(graph: Graph): Explanation {
  const nodes: NodeExplanation[] = [];
  const fanOut = (id: string) => (graph.consumers.get(id)?.length ?? 0) > 1;
  const perSample = perSamplePower(graph);
  const weightsId = sampleStructure(graph).weights;
  const normaliser = weightsId === undefined ? "m" : `Σ${weightsId}`;
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    nodes.push(explainNode(graph, node, fanOut, perSample, normaliser));
  }
  const meanNodes = nodes.filter((n) => n.oneOverM).map((n) => n.id);
  const weightedNodes = nodes.filter((n) => n.oneOverSum).map((n) => ({ node: n.id, values: n.operands[0], weights: n.operands[1] }));
  return { graph: graph.name, loss: graph.loss, meanNodes, weightedNodes, normaliser, nodes, summary: summarize(graph, meanNodes, weightedNodes) };
}

/**
 * The power p with per-sample ∂L/∂x = m^p·dJ/dx for tensors that carry samples: 1 for a mean cost (the
 * course's dZ = m·dJ/dZ), 0 for a cost summed over the samples.
 */
export function perSamplePower(graph: Graph): number {
  return 1 - (sampleStructure(graph).scalePower ?? 0);
}

function explainNode(graph: Graph, node: NodeDecl, fanOut: (id: string) => boolean, perSample: number, normaliser: string): NodeExplanation {
  const op = getOp(node.op)!;
  const outShape = graph.shapes.get(node.id)!;
  const fill = (template: string, grad: string) =>
    template
      .replaceAll("{out}", node.id)
      .replaceAll("{g}", grad)
      .replace(/\{sum(\d)\}/g, (_, k) => (isBroadcast(graph.shapes.get(node.in[Number(k)])!, outShape) ? "Σ_samples " : ""))
      .replace(/\{(\d)\}/g, (_, k) => node.in[Number(k)]);
  // A `mean` over an operand without m (say a penalty on a param) averages columns, not samples: its
  // 1/k is a constant, not the batch's 1/m.
  const overColumns = op.kind === "reduction" && !hasBatchDim(graph.shapes.get(node.in[0])!);
  const columns = graph.shapes.get(node.in[0])![1];
  // A weighted reduction's own factor is a power of the sum of its weights, not of m.
  const ownSymbol = op.weightsOperand !== undefined && !overColumns ? `Σ${node.in[op.weightsOperand]}` : "m";
  const backward = node.in.map((target, slot): Equation => {
    const own = overColumns ? 0 : (op.explain.mPower?.[slot] ?? 0);
    const perSampleShift = perSample * ((hasBatchDim(graph.shapes.get(target)!) ? 1 : 0) - (hasBatchDim(outShape) ? 1 : 0));
    const dlsPower = own + perSampleShift;
    // Both factors are powers of the cost's normaliser (m, or ΣM) except in a graph that mixes a mean and a weighted mean.
    const dlsFactor = ownSymbol === normaliser ? factor(dlsPower, normaliser) : factor(own, ownSymbol) + factor(perSampleShift, normaliser);
    const assign = fanOut(target) ? "+=" : "=";
    const template = op.explain.backward[slot];
    return {
      target,
      autodiff: `dJ/d${target} ${assign} ${overColumns && node.op === "mean" ? `(1/${columns})·` : factor(own, ownSymbol)}${fill(template, `dJ/d${node.id}`)}`,
      dls: `d${target} ${assign} ${overColumns && node.op === "mean" ? `(1/${columns})·` : dlsFactor}${fill(template, `d${node.id}`)}`,
      mPower: { autodiff: own, dls: dlsPower },
    };
  });
  const forward = overColumns ? fill(op.explain.forward, "").replace("(1/m)·", `(1/${columns})·`).replace("Σ_samples", "Σ_columns") : fill(op.explain.forward, "");
  const reducesBatch = op.kind === "reduction" && hasBatchDim(graph.shapes.get(node.in[0])!);
  return {
    id: node.id, op: node.op, operands: [...node.in], shape: showDims(outShape), forward, backward,
    oneOverM: node.op === "mean" && reducesBatch,
    ...(reducesBatch && op.weightsOperand !== undefined && { oneOverSum: ownSymbol }),
  };
}

function isBroadcast(operand: Shape, out: Shape): boolean {
  return !hasBatchDim(operand) && hasBatchDim(out);
}

function factor(power: number, symbol: string): string {
  if (power === 0) return "";
  if (power === -1) return `(1/${symbol})·`;
  if (power === 1) return `${symbol}·`;
  return power < 0 ? `(1/${symbol}^${-power})·` : `${symbol}^${power}·`;
}

function showDims(s: Shape): string {
  return `${s[0]}×${s[1]}`;
}

function summarize(graph: Graph, meanNodes: string[], weightedNodes: Explanation["weightedNodes"]): string[] {
  const { coupling, weights } = sampleStructure(graph);
  if (weightedNodes.length > 0 && weights !== undefined) {
    const { node, values } = weightedNodes[0];
    const sum = `Σ${weights}`;
    return [
      `The 1/m becomes 1/${sum} at ${node} = weighted_mean(${values}, ${weights}): ${node} = (1/${sum})·Σᵢ ${weights}ᵢ·${values}ᵢ, a mean over the ${sum} items, not over the m samples; so d${node}/d${values}ᵢ = ${weights}ᵢ/${sum}, and 0 for a sample that holds no item.`,
      `autodiff: that 1/${sum}, and each sample's weight ${weights}ᵢ, flows backward into every dJ/dx upstream of ${node}.`,
      `dls (the course): dZ = ${sum}·dJ/dZ = ${weights} ⊙ ∂L/∂Z, each sample's derivative times its weight, with no 1/${sum}; it returns exactly where a param's gradient sums over the batch: dW = (1/${sum})·dZ·A_prevᵀ, db = (1/${sum})·Σ dZ.`,
      `Both conventions give the same dW and db.`,
      coupling.length
        ? `But this graph couples samples at ${coupling.map((c) => `${c.node} (${c.op})`).join(", ")}: per-sample gradients do not exist (gradstream check reports it).`
        : `No node couples samples, so the batch gradient is the ${weights}-weighted mean of the per-sample gradients, Σᵢ ${weights}ᵢ·∇Lᵢ / ${sum}; split into micro-batches or across workers, part k's gradient carries 1/Wₖ (its own items) and weighs Wₖ/W (gradstream split shows it).`,
    ];
  }
  if (meanNodes.length === 0) {
    return [
      `No mean node: the cost ${graph.loss} sums over the samples, so no 1/m enters; its gradients are m times those of the mean cost.`,
    ];
  }
  const mean = meanNodes[0];
  const lines = [
    `The 1/m enters once, at ${meanNodes.join(", ")} = mean(...): J = (1/m)·Σᵢ Lᵢ, so dJ/dLᵢ = 1/m for every sample i.`,
    `autodiff: that 1/m flows backward into every dJ/dx upstream of ${mean}; no other reduction over the samples adds one.`,
    `dls (the course): dZ, dA are per-sample, ∂L/∂x = m·dJ/dx, with no 1/m; it returns exactly where a param's gradient sums per-sample terms over the batch: dW = (1/m)·dZ·A_prevᵀ, db = (1/m)·Σ dZ.`,
    `Both conventions give the same dW and db.`,
  ];
  if (coupling.length) {
    const where = coupling.map((c) => `${c.node} (${c.op})`).join(", ");
    lines.push(`But this graph couples samples at ${where}: it averages over the batch inside the network, so its own equations carry a 1/m too; a sample's loss depends on the other samples, per-sample gradients do not exist, and the batch gradient is not their mean (gradstream check reports it).`);
  } else {
    lines.push(`No node couples samples, so the batch gradient is the mean of the per-sample gradients, for any m (gradstream check verifies it).`);
  }
  if (meanNodes.length > 1) lines.push(`Note: ${meanNodes.length} mean nodes; each applies its own 1/m to the part of the cost it reduces.`);
  return lines;
}
