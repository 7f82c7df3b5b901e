/**
 * How well params fit data: the cost, and the accuracy of a classifier (the share of samples whose
 * predicted class is the target's, as the course computes it) or, for a regression (`mse`), the root mean
 * squared error over every entry. Computed from scratch with `forward`, independently of the runtime.
 *
 * @example
 * fitReport(graph, values) // { cost: 0.2186, metric: { name: "accuracy", value: 0.9075 } }
 */
import type { Graph } from "../graph/graph.ts";
import { forward } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { trainingRoles } from "./trainingRoles.ts";
import { predictClasses, targetClasses } from "./predictClasses.ts";

export interface FitReport {
  readonly cost: number;
  readonly metric: { readonly name: "accuracy" | "rmse"; readonly value: number };
  /** The prediction node's values, for plots. */
  readonly prediction: Tensor;
}

export function fitReport(graph: Graph, bindings: ReadonlyMap<string, Tensor>): FitReport {
  const roles = trainingRoles(graph);
  const values = forward(graph, bindings);
  const cost = values.get(graph.loss)!.data[0];
  const prediction = values.get(roles.prediction)!;
  const target = values.get(roles.target)!;
  const predicted = predictClasses(roles.lossOp, prediction);
  if (predicted) {
    const truth = targetClasses(target);
    let right = 0;
    for (let j = 0; j < truth.length; j++) if (predicted[j] === truth[j]) right++;
    return { cost, prediction, metric: { name: "accuracy", value: right / truth.length } };
  }
  let squares = 0;
  const a = prediction.data, y = target.data;
  for (let i = 0; i < a.length; i++) squares += (a[i] - y[i]) ** 2;
  return { cost, prediction, metric: { name: "rmse", value: Math.sqrt(squares / a.length) } };
}
