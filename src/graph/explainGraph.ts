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
}

export interface Explanation {
  graph: string;
  loss: string;
  /** The nodes where the 1/m enters (the `mean` reductions). */
  meanNodes: string[];
  /** Nodes in backward order: the loss first. */
  nodes: NodeExplanation[];
  summary: string[];
}

export function explainGraph(graph: Graph): Explanation {
  const nodes: NodeExplanation[] = [];
  const fanOut = (id: string) => (graph.consumers.get(id)?.length ?? 0) > 1;
  const perSample = perSamplePower(graph);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    nodes.push(explainNode(graph, node, fanOut, perSample));
  }
  const meanNodes = nodes.filter((n) => n.oneOverM).map((n) => n.id);
  return { graph: graph.name, loss: graph.loss, meanNodes, nodes, summary: summarize(graph, meanNodes) };
}

/**
 * The power p with per-sample ∂L/∂x = m^p·dJ/dx for tensors that carry samples: 1 for a mean cost (the
 * course's dZ = m·dJ/dZ), 0 for a cost summed over the samples.
 */
export function perSamplePower(graph: Graph): number {
  return 1 - (sampleStructure(graph).scalePower ?? 0);
}

function explainNode(graph: Graph, node: NodeDecl, fanOut: (id: string) => boolean, perSample: number): NodeExplanation {
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
  const backward = node.in.map((target, slot): Equation => {
    const own = overColumns ? 0 : (op.explain.mPower?.[slot] ?? 0);
    const dlsPower = own + perSample * ((hasBatchDim(graph.shapes.get(target)!) ? 1 : 0) - (hasBatchDim(outShape) ? 1 : 0));
    const assign = fanOut(target) ? "+=" : "=";
    const template = op.explain.backward[slot];
    return {
      target,
      autodiff: `dJ/d${target} ${assign} ${overColumns && node.op === "mean" ? `(1/${columns})·` : factor(own)}${fill(template, `dJ/d${node.id}`)}`,
      dls: `d${target} ${assign} ${overColumns && node.op === "mean" ? `(1/${columns})·` : factor(dlsPower)}${fill(template, `d${node.id}`)}`,
      mPower: { autodiff: own, dls: dlsPower },
    };
  });
  const forward = overColumns ? fill(op.explain.forward, "").replace("(1/m)·", `(1/${columns})·`).replace("Σ_samples", "Σ_columns") : fill(op.explain.forward, "");
  return { id: node.id, op: node.op, operands: [...node.in], shape: showDims(outShape), forward, backward, oneOverM: node.op === "mean" && hasBatchDim(graph.shapes.get(node.in[0])!) };
}

function isBroadcast(operand: Shape, out: Shape): boolean {
  return !hasBatchDim(operand) && hasBatchDim(out);
}

function factor(power: number): string {
  if (power === 0) return "";
  if (power === -1) return "(1/m)·";
  if (power === 1) return "m·";
  return power < 0 ? `(1/m^${-power})·` : `m^${power}·`;
}

function showDims(s: Shape): string {
  return `${s[0]}×${s[1]}`;
}

function summarize(graph: Graph, meanNodes: string[]): string[] {
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
  const { coupling } = sampleStructure(graph);
  if (coupling.length) {
    const where = coupling.map((c) => `${c.node} (${c.op})`).join(", ");
    lines.push(`But this graph couples samples at ${where}: it averages over the batch inside the network, so its own equations carry a 1/m too; a sample's loss depends on the other samples, per-sample gradients do not exist, and the batch gradient is not their mean (gradstream check reports it).`);
  } else {
    lines.push(`No node couples samples, so the batch gradient is the mean of the per-sample gradients, for any m (gradstream check verifies it).`);
  }
  if (meanNodes.length > 1) lines.push(`Note: ${meanNodes.length} mean nodes; each applies its own 1/m to the part of the cost it reduces.`);
  return lines;
}
