/**
 * How well params fit data: the cost, and the accuracy of a classifier (the share of samples whose
 * predicted class is the target's, as the course computes it) or, for a regression (`mse`), the root mean
 * squared error over every entry; for a cost averaged over items (`weighted_mean`), both over the items,
 * each sample counted as often as its weight (a masked sample not at all). Computed from scratch with
 * `forward`, independently of the runtime.
 *
 * @example
 * fitReport(graph, values) // { cost: 0.2186, metric: { name: "accuracy", value: 0.9075 } }
 */
import type { Graph } from "../graph/graph.ts";
import { forward } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { trainingRoles } from "./trainingRoles.ts";
import { predictClasses, targetClasses } from "./predictClasses.ts";
import { sampleWeights } from "../verify/sampleWeights.ts";

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
  // For a cost over items (weighted_mean), the metric is over the items too: sample j counts wⱼ times.
  const weights = sampleWeights(graph, values);
  const weightOf = (j: number) => (weights ? weights[j] : 1);
  const predicted = predictClasses(roles.lossOp, prediction);
  if (predicted) {
    const truth = targetClasses(target);
    let right = 0, total = 0;
    for (let j = 0; j < truth.length; j++) {
      total += weightOf(j);
      if (predicted[j] === truth[j]) right += weightOf(j);
    }
    return { cost, prediction, metric: { name: "accuracy", value: right / total } };
  }
  let squares = 0, total = 0;
  const a = prediction.data, y = target.data;
  const m = prediction.shape[1];
  for (let i = 0; i < a.length; i++) {
    squares += weightOf(i % m) * (a[i] - y[i]) ** 2;
    total += weightOf(i % m);
  }
  return { cost, prediction, metric: { name: "rmse", value: Math.sqrt(squares / total) } };
}
