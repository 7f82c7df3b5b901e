/**
 * Finds the first node, in evaluation order, whose value (or gradient) is not finite, and throws an error
 * naming it. An overflow (inputs of 1e200 squared) or ∞ − ∞ would otherwise pass silently as a loss of
 * Infinity or NaN, and JSON could not even print it.
 *
 * @example
 * assertFinite(graph, forward(graph, bindings), "value"); // throws GradstreamError COMPUTE naming the node
 */
import { GradstreamError } from "../errors.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { Graph } from "./graph.ts";

export function assertFinite(graph: Graph, tensors: ReadonlyMap<string, Tensor>, what: "value" | "gradient"): void {
  // Where it started: for values, the inputs and params first (an init that overflowed is the init's fault,
  // not the node's that reads it), then the nodes in topological order; gradients in reverse.
  const sources = [...graph.inputs.map((i) => i.id), ...graph.params.map((p) => p.id)];
  const ids = what === "value" ? [...sources, ...graph.nodes.map((n) => n.id)] : [...[...graph.nodes].reverse().map((n) => n.id), ...graph.params.map((p) => p.id), ...graph.inputs.map((i) => i.id)];
  for (const id of ids) {
    const t = tensors.get(id);
    if (!t) continue;
    const k = t.data.findIndex((x) => !Number.isFinite(x));
    if (k < 0) continue;
    const [, cols] = t.shape;
    const node = graph.nodes.find((n) => n.id === id);
    const param = graph.params.find((p) => p.id === id);
    const source = node ? ` (${node.op} of ${node.in.join(", ")})` : param && what === "value" ? ` (init ${JSON.stringify(param.init)})` : "";
    throw new GradstreamError("COMPUTE", {
      file: graph.source,
      node: id,
      message: `${what === "value" ? "its value" : "dJ/d" + id} is ${t.data[k]} at [${Math.floor(k / cols)}][${k % cols}]${source}: the numbers overflowed float64; rescale the inputs or params`,
    });
  }
}
