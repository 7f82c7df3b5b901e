/**
 * The from-scratch evaluation of a graph: every node forward in topological order, then every gradient
 * backward. It is the reference the reactive runtime is checked against, and what `run` and `grad` use.
 *
 * @example
 * const values = forward(graph, bindings);          // Map id → Tensor, inputs and params included
 * const grads = backward(graph, values);            // Map id → dJ/d(id)
 */
import { getOp } from "../ops/registry.ts";
import { type Tensor, tensor, filled } from "../tensor/tensor.ts";
import { addInto } from "../tensor/kernels.ts";
import { GradstreamError } from "../errors.ts";
import type { Graph, NodeDecl } from "./graph.ts";

export function forward(graph: Graph, bindings: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const values = new Map(bindings);
  for (const node of graph.nodes) values.set(node.id, forwardNode(graph, node, values));
  return values;
}

export function forwardNode(graph: Graph, node: NodeDecl, values: ReadonlyMap<string, Tensor>): Tensor {
  const op = getOp(node.op)!;
  const inputs = node.in.map((id) => values.get(id)!);
  try {
    return op.forward(inputs, node.attrs);
  } catch (e) {
    throw new GradstreamError("COMPUTE", { file: graph.source, node: node.id, message: `${node.op} failed: ${(e as Error).message}` });
  }
}

/**
 * dJ/d(id) for every id (or for `wrt` and what they need). An id the loss does not depend on gets zeros.
 */
export function backward(graph: Graph, values: ReadonlyMap<string, Tensor>, wrt?: Iterable<string>): Map<string, Tensor> {
  const needed = wrt ? neededForGrads(graph, wrt) : undefined;
  const grads = new Map<string, Tensor>();
  const lossValue = values.get(graph.loss)!;
  grads.set(graph.loss, filled(lossValue.shape[0], lossValue.shape[1], 1));
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    const g = grads.get(node.id);
    if (!g) continue;
    const op = getOp(node.op)!;
    const ctx = { inputs: node.in.map((id) => values.get(id)!), output: values.get(node.id)!, grad: g, attrs: node.attrs };
    node.in.forEach((ref, slot) => {
      if (needed && !needed.has(ref)) return;
      const contribution = op.backward[slot](ctx);
      accumulate(grads, ref, contribution);
    });
  }
  if (!wrt) {
    for (const [id, v] of values) if (!grads.has(id)) grads.set(id, tensor(v.shape[0], v.shape[1]));
  }
  return grads;
}

/** Sums gradient contributions of the consumers of one id (its fan-out). */
function accumulate(grads: Map<string, Tensor>, id: string, contribution: Tensor): void {
  const acc = grads.get(id);
  if (!acc) grads.set(id, contribution);
  else {
    const sum = tensor(acc.shape[0], acc.shape[1], acc.data.slice());
    addInto(sum.data as Float64Array, contribution.data);
    grads.set(id, sum);
  }
}

/** The ids whose gradients must be formed to reach `wrt`: `wrt` and every node between them and the loss. */
export function neededForGrads(graph: Graph, wrt: Iterable<string>): Set<string> {
  const needed = new Set<string>();
  const stack = [...wrt];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const c of graph.consumers.get(id) ?? []) stack.push(c.node);
  }
  return needed;
}
