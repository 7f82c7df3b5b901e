/**
 * What a node box shows of its tensors: the value and the gradient dJ/d(id), each as the number itself
 * for a scalar or as its Frobenius norm otherwise, at full precision (for data attributes and tests) and
 * as short text (for people); and, for a tensor of 2 to 16 entries, every entry of both.
 *
 * @example
 * const values = forward(graph, bindings);
 * const s = nodeSummaries(graph, values, backward(graph, values));
 * s.J.value  // the cost, e.g. 0.6931…;  s.W1.grad // ‖dJ/dW1‖
 * s.L.entries?.grad // at m = 5: [0.2, 0.2, 0.2, 0.2, 0.2], dJ/dLᵢ = 1/m
 */
import type { Graph } from "../graph/graph.ts";
import { allIds } from "../graph/graph.ts";
import { type Tensor, norm } from "../tensor/tensor.ts";
import { formatNumber } from "../cli/format.ts";
import { showsEntries } from "./boxEntries.ts";

export interface NodeSummary {
  /** The value when it is a scalar, else ‖value‖. */
  readonly value: number;
  /** dJ/d(id) when it is a scalar, else ‖dJ/d(id)‖. */
  readonly grad: number;
  readonly scalar: boolean;
  /** e.g. "= 0.693147" or "‖·‖ 1.23457". */
  readonly valueText: string;
  readonly gradText: string;
  /** Every entry, row-major, for tensors of 2 to 16 entries. */
  readonly entries?: { readonly rows: number; readonly cols: number; readonly value: ArrayLike<number>; readonly grad: ArrayLike<number> };
}

export type Summaries = Readonly<Record<string, NodeSummary>>;

type TensorTable = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

export function nodeSummaries(graph: Graph, values: TensorTable, grads: TensorTable): Summaries {
  const get = (table: TensorTable, id: string) => (table instanceof Map ? table.get(id) : (table as Record<string, Tensor>)[id]);
  const out: Record<string, NodeSummary> = {};
  for (const id of allIds(graph)) {
    const v = get(values, id);
    const g = get(grads, id);
    if (!v || !g) continue;
    const scalar = v.data.length === 1;
    const value = scalar ? v.data[0] : norm(v);
    const grad = scalar ? g.data[0] : norm(g);
    const [rows, cols] = v.shape;
    const entries = showsEntries(rows, cols) ? { rows, cols, value: v.data, grad: g.data } : undefined;
    out[id] = { value, grad, scalar, valueText: summaryText(value, scalar), gradText: summaryText(grad, scalar), ...(entries ? { entries } : {}) };
  }
  return out;
}

function summaryText(x: number, scalar: boolean): string {
  return scalar ? `= ${formatNumber(x)}` : `‖·‖ ${formatNumber(x)}`;
}
