/**
 * How a graph treats its samples, read from its shapes and its ops' `columnwise` flags, before any number
 * is computed: which nodes reduce over the batch (and with which power of m), and which nodes couple
 * samples. Per-sample gradients exist, and the batch gradient is m^k × their mean, only when every node
 * that carries samples before the cost's reduction is column-wise and nothing computed from the whole
 * batch flows back into a per-sample node.
 *
 * @example
 * const s = sampleStructure(graph);
 * s.coupling  // [{ node: "C", op: "center_batch", reason: "..." }] for a batch-norm-like graph
 * s.scalePower // 0 for J = mean(L): batch gradient = m^0 × mean of per-sample gradients
 * s.weights    // "M" for J = weighted_mean(L, M): batch gradient = Σᵢ Mᵢ·∇Lᵢ / Σᵢ Mᵢ
 */
import { getOp } from "../ops/registry.ts";
import type { Shape } from "../ops/op.ts";
import { type Graph, hasBatchDim, lossAncestors } from "../graph/graph.ts";

/** A node that reduces over the batch (the cost's mean or sum). */
export interface SampleReduction {
  node: string;
  op: string;
  /** The power of m the op's backward carries itself (−1 for `mean`, 0 for `sum`; for `weighted_mean`, −1 of Σw). */
  mPower: number;
  /** A weighted reduction's weights operand: the id holding one weight per sample. */
  weights?: string;
}

/** A node at which a sample's values come to depend on other samples, and why. */
export interface SampleCoupling {
  node: string;
  op: string;
  reason: string;
}

/** What `sampleStructure` finds. */
export interface SampleStructure {
  /** Some input the loss depends on carries samples (has the batch size m in its columns). */
  batched: boolean;
  /** Nodes whose operand carries samples and whose output does not: where the batch is reduced. */
  reductions: SampleReduction[];
  /** Nodes at which samples are coupled, each with the reason. Empty for a per-sample graph. */
  coupling: SampleCoupling[];
  /**
   * k in "batch gradient = m^k × mean of per-sample gradients": 0 for a mean cost, 1 for a sum cost.
   * Absent when the reductions disagree or there is no batch; `scaleNote` says why.
   */
  scalePower?: number;
  scaleNote?: string;
  /**
   * Set when the cost is a weighted mean over the samples (`weighted_mean`): the id whose value weighs
   * each sample. The batch gradient is then Σᵢ wᵢ·∇Lᵢ / Σᵢ wᵢ, the w-weighted mean of the per-sample
   * gradients, and Σw (the items) takes the place of m. Absent: every sample weighs 1.
   */
  weights?: string;
}

export function sampleStructure(graph: Graph): SampleStructure {
  const shape = (id: string) => graph.shapes.get(id)!;
  const rowsAreSamples = (s: Shape) => s[0] === "m";
  const live = lossAncestors(graph);
  // Ids computed from the whole batch that carry no samples themselves (a mean over the batch), with the
  // reduction they come from.
  const aggregateOf = new Map<string, string>();
  const reductions: SampleReduction[] = [];
  const coupling: SampleCoupling[] = [];

  for (const node of graph.nodes) {
    if (!live.has(node.id)) continue;
    const op = getOp(node.op)!;
    const out = shape(node.id);
    const batchedOperands = node.in.filter((id) => hasBatchDim(shape(id)));
    const rowsOperand = [...node.in, node.id].find((id) => rowsAreSamples(shape(id)));
    if (rowsOperand) {
      coupling.push({ node: node.id, op: node.op, reason: `the rows of '${rowsOperand}' index samples (shape [m,${shape(rowsOperand)[1]}]); samples are columns, so ${node.op} mixes them` });
      continue;
    }
    if (hasBatchDim(out)) {
      const aggregate = node.in.find((id) => aggregateOf.has(id));
      if (!op.columnwise) coupling.push({ node: node.id, op: node.op, reason: `${node.op} is not column-wise: each column of '${node.id}' depends on every sample of the batch` });
      else if (aggregate) {
        const from = aggregateOf.get(aggregate)!;
        coupling.push({ node: node.id, op: node.op, reason: `it reads '${aggregate}', computed from the whole batch${from === aggregate ? "" : ` (by '${from}')`}, so each column of '${node.id}' depends on every sample` });
      }
    } else if (batchedOperands.length > 0) {
      const slot = node.in.findIndex((id) => hasBatchDim(shape(id)));
      const weights = op.weightsOperand !== undefined ? node.in[op.weightsOperand] : undefined;
      reductions.push({ node: node.id, op: node.op, mPower: op.explain.mPower?.[slot] ?? 0, ...(weights !== undefined && { weights }) });
      aggregateOf.set(node.id, node.id);
    } else {
      const aggregate = node.in.find((id) => aggregateOf.has(id));
      if (aggregate) aggregateOf.set(node.id, aggregateOf.get(aggregate)!);
    }
  }

  const batched = graph.inputs.some((d) => hasBatchDim(d.shape) && live.has(d.id));
  // Reductions agree when they scale alike and weigh the samples alike (the same weights, or none).
  const kinds = new Set(reductions.map((r) => `${r.mPower} ${r.weights ?? ""}`));
  const weights = reductions[0]?.weights;
  const weightParam = weights === undefined ? undefined : graph.params.find((p) => paramsUnder(graph, weights).has(p.id));
  let scalePower: number | undefined;
  let scaleNote: string | undefined;
  if (!batched) scaleNote = "no input the loss depends on carries samples (m)";
  else if (kinds.size !== 1) scaleNote = `the reductions over the batch scale differently (${reductions.map((r) => `${r.node}: ${r.op}${r.weights ? ` by ${r.weights}` : ""}`).join(", ")}), so the cost is not m^k × a mean of per-sample costs`;
  else if (weightParam) scaleNote = `the weights '${weights}' of ${reductions[0].node} (${reductions[0].op}) depend on param '${weightParam.id}', so the cost is not a fixed weighting of per-sample costs`;
  else scalePower = 1 + reductions[0].mPower;
  return { batched, reductions, coupling, scalePower, scaleNote, ...(weights !== undefined && kinds.size === 1 && { weights }) };
}

/** The params an id is computed from. */
function paramsUnder(graph: Graph, id: string): Set<string> {
  const found = new Set<string>();
  const stack = [id];
  const seen = new Set<string>();
  while (stack.length) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (graph.kinds.get(x) === "param") found.add(x);
    const node = graph.nodes.find((n) => n.id === x);
    if (node) stack.push(...node.in);
  }
  return found;
}

