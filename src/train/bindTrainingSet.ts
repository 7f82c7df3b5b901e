/**
 * A labelled set as a graph's inputs: its features into the feature input (rows checked against the
 * graph), its labels into the target input, shaped for the loss (see `targetsFor`).
 *
 * @example
 * const inputs = bindTrainingSet(graph, moons({ m: 200 })); // { X: [2, 200], Y: [1, 200] }
 */
import { GradstreamError } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { targetsFor } from "../datasets/targetsFor.ts";
import { trainingRoles } from "./trainingRoles.ts";

export function bindTrainingSet(graph: Graph, set: LabelledSet): Record<string, Tensor> {
  const roles = trainingRoles(graph);
  if (!roles.features) {
    throw new GradstreamError("USAGE", { file: graph.source, message: `graph ${graph.name} has ${graph.inputs.length} inputs; a dataset or CSV fills one feature input and one target input (use --data with a JSON data file instead)` });
  }
  const shapeOf = (id: string) => graph.shapes.get(id)!;
  const [featureRows] = shapeOf(roles.features);
  const [targetRows] = shapeOf(roles.target);
  if (typeof featureRows !== "number" || typeof targetRows !== "number" || shapeOf(roles.features)[1] !== "m" || shapeOf(roles.target)[1] !== "m") {
    throw new GradstreamError("USAGE", { file: graph.source, message: `training from a dataset needs inputs shaped [rows, m]; '${roles.features}' is [${shapeOf(roles.features).join(",")}], '${roles.target}' is [${shapeOf(roles.target).join(",")}]` });
  }
  if (set.X.shape[0] !== featureRows) {
    throw new GradstreamError("DATA_INVALID", { file: set.source?.file ?? graph.source, node: roles.features, message: `${set.name} has ${set.X.shape[0]} features per sample, but '${roles.features}' of graph ${graph.name} has ${featureRows} rows` });
  }
  return { [roles.features]: set.X, [roles.target]: targetsFor(set, targetRows, roles.targetKind, roles.target) };
}
