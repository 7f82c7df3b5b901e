/**
 * Which parts of a graph training needs to know about: the per-sample loss node, its prediction (first
 * operand) and target (second operand, an input), and the one other input that holds the features. So a
 * dataset can be bound to a graph, and accuracy measured, without naming conventions (`X`, `Y`).
 *
 * @example
 * trainingRoles(planarTanh) // { lossNode: "L", lossOp: "bce", prediction: "A2", target: "Y", features: "X", targetKind: "binary" }
 */
import { GradstreamError } from "../errors.ts";
import { type Graph, lossAncestors } from "../graph/graph.ts";
import { getOp } from "../ops/registry.ts";
import type { TargetKind } from "../ops/op.ts";

export interface TrainingRoles {
  readonly lossNode: string;
  readonly lossOp: string;
  readonly prediction: string;
  /** The input holding the targets, and how its loss reads them. */
  readonly target: string;
  readonly targetKind: TargetKind;
  /** The input holding the features, when the graph has exactly one other input. */
  readonly features?: string;
}

export function trainingRoles(graph: Graph): TrainingRoles {
  const file = graph.source;
  // The per-sample losses the cost is built from: loss-kind nodes the loss node depends on.
  const reaches = lossAncestors(graph);
  const losses = graph.nodes.filter((n) => reaches.has(n.id) && getOp(n.op)!.kind === "loss");
  if (losses.length !== 1) {
    throw new GradstreamError("USAGE", { file, node: graph.loss, message: `training needs exactly one per-sample loss (bce, mse, ...) under '${graph.loss}', found ${losses.length ? losses.map((n) => n.id).join(", ") : "none"}` });
  }
  const node = losses[0];
  const [prediction, target] = node.in;
  if (graph.kinds.get(target) !== "input") {
    throw new GradstreamError("USAGE", { file, node: node.id, field: "in", message: `the target of loss '${node.id}' is '${target}', a ${graph.kinds.get(target)}; training feeds targets as an input` });
  }
  const others = graph.inputs.filter((d) => d.id !== target);
  return {
    lossNode: node.id,
    lossOp: node.op,
    prediction,
    target,
    targetKind: getOp(node.op)!.target ?? "real",
    features: others.length === 1 ? others[0].id : undefined,
  };
}
