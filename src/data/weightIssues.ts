/**
 * The weights a `weighted_mean` reads count items, so a data file's weights must be numbers ≥ 0: a
 * negative weight is a mistake in the file (exit 2, naming the input and the sample), found when the file
 * is bound rather than later in the middle of a computation. (Weights that sum to 0 are allowed here:
 * a batch with no items is a compute error of the node that averages over it.)
 *
 * @example
 * weightIssues(graph, values, "data.json") // [{ file, node: "M", field: "inputs.M", message: "the weight of sample 3 is -1: ..." }]
 */
import type { Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { getOp } from "../ops/registry.ts";
import type { Tensor } from "../tensor/tensor.ts";

export function weightIssues(graph: Graph, values: ReadonlyMap<string, Tensor>, file?: string): Issue[] {
  const issues: Issue[] = [];
  for (const input of graph.inputs) {
    const readers = graph.consumers.get(input.id) ?? [];
    const reader = readers.find(({ node, slot }) => getOp(graph.nodes.find((n) => n.id === node)!.op)!.weightsOperand === slot);
    const t = values.get(input.id);
    if (!reader || !t) continue;
    const bad = t.data.findIndex((w) => !(w >= 0));
    if (bad >= 0) {
      const [, cols] = t.shape;
      issues.push({ file, node: input.id, field: `inputs.${input.id}`, message: `the weight of sample ${bad % cols} is ${t.data[bad]}: '${input.id}' holds the weights of ${reader.node} (weighted_mean), which count items and must be ≥ 0` });
    }
  }
  return issues;
}
