/**
 * A classifier's decision over the plane of its two input features: the predicted class at every point
 * of a grid covering the data with a margin (the course's `plot_decision_boundary` uses the data's range
 * ± 1). The graph is evaluated once, on all the grid points as one batch.
 *
 * @example
 * const grid = decisionGrid(graph, params, X);   // undefined unless X is [2, m] and the graph classifies
 * grid.classes[row * grid.size + col]            // row 0 at the bottom (x2 = y[0])
 */
import type { Graph } from "../graph/graph.ts";
import { forward } from "../graph/evaluate.ts";
import { type Tensor, tensor, zeros } from "../tensor/tensor.ts";
import { trainingRoles } from "./trainingRoles.ts";
import { isClassifier, predictClasses } from "./predictClasses.ts";

export interface DecisionGrid {
  /** Range of the first feature (horizontal) and of the second (vertical). */
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  /** Points per side. */
  readonly size: number;
  /** Predicted class per grid point, row-major, row 0 at the bottom. */
  readonly classes: Int32Array;
}

export function decisionGrid(graph: Graph, params: Readonly<Record<string, Tensor>>, X: Tensor, size = 160, margin = 1): DecisionGrid | undefined {
  const roles = trainingRoles(graph);
  if (!roles.features || X.shape[0] !== 2 || !isClassifier(roles.lossOp)) return undefined;
  const m = X.shape[1];
  const range = (row: number): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < m; j++) (lo = Math.min(lo, X.data[row * m + j])), (hi = Math.max(hi, X.data[row * m + j]));
    return [lo - margin, hi + margin];
  };
  const x = range(0), y = range(1);
  const n = size * size;
  const points = new Float64Array(2 * n);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      // Cell centres, so the cells tile the range exactly.
      points[r * size + c] = x[0] + ((c + 0.5) * (x[1] - x[0])) / size;
      points[n + r * size + c] = y[0] + ((r + 0.5) * (y[1] - y[0])) / size;
    }
  }
  const targetRows = graph.shapes.get(roles.target)![0] as number;
  const bindings = new Map<string, Tensor>(Object.entries(params));
  bindings.set(roles.features, tensor(2, n, points));
  bindings.set(roles.target, zeros(targetRows, n)); // the loss needs a target; its value is not looked at
  const prediction = forward(graph, bindings).get(roles.prediction)!;
  return { x, y, size, classes: predictClasses(roles.lossOp, prediction)! };
}
