/**
 * A from-scratch forward and backward pass that must succeed: an op that fails, or a value or gradient
 * that overflows float64, throws a GradstreamError ("COMPUTE") naming the node where it started. `watch`
 * and `serve` run it on every edit before they take the edit, so one that validates but cannot be
 * evaluated is reported and the last good state stays.
 *
 * @example
 * const { values, grads } = evaluateFinite(graph, bindings.values); // or throws, naming the node
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { Graph } from "./graph.ts";
import { backward, forward } from "./evaluate.ts";
import { assertFinite } from "./assertFinite.ts";

export function evaluateFinite(graph: Graph, bindings: ReadonlyMap<string, Tensor>): { values: Map<string, Tensor>; grads: Map<string, Tensor> } {
  const values = forward(graph, bindings);
  assertFinite(graph, values, "value");
  const grads = backward(graph, values);
  assertFinite(graph, grads, "gradient");
  return { values, grads };
}
