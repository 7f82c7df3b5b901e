/**
 * Accuracy and RMSE on predictions written by hand: bce thresholds the probability at 0.5, bce_logits the
 * logit at 0, the cross-entropies take the argmax of each column; mse reports the root mean squared error.
 */
import { describe, expect, it } from "vitest";
import { fromRows } from "../helpers/tensors.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { fitReport } from "../../src/train/fitReport.ts";
import { predictClasses, targetClasses } from "../../src/train/predictClasses.ts";

describe("predictClasses", () => {
  it("bce: class 1 when the probability is above 0.5", () => {
    expect(Array.from(predictClasses("bce", fromRows([[0.2, 0.5, 0.51, 0.99]]))!)).toEqual([0, 0, 1, 1]);
  });
  it("bce_logits: class 1 when the logit is above 0", () => {
    expect(Array.from(predictClasses("bce_logits", fromRows([[-3, 0, 0.1, 7]]))!)).toEqual([0, 0, 1, 1]);
  });
  it("cross-entropies: the row with the largest value", () => {
    const Z = fromRows([[1, 5, 0], [3, 2, 0], [2, -1, 1]]);
    for (const op of ["softmax_cross_entropy", "cross_entropy"]) expect(Array.from(predictClasses(op, Z)!)).toEqual([1, 0, 2]);
  });
  it("mse is not a classifier", () => {
    expect(predictClasses("mse", fromRows([[1]]))).toBeUndefined();
  });
  it("targets: 0/1 rows and one-hot columns", () => {
    expect(Array.from(targetClasses(fromRows([[0, 1, 1]])))).toEqual([0, 1, 1]);
    expect(Array.from(targetClasses(fromRows([[0, 1], [1, 0]])))).toEqual([1, 0]);
  });
});

describe("fitReport", () => {
  // A graph whose prediction is its input A itself, so the predictions are exactly what the test gives.
  const graphFor = (op: string, rows: number) =>
    parseGraph(
      `gradstream: 1\nname: t\ninputs: { A: { shape: [${rows}, m] }, Y: { shape: [${rows}, m] } }\nparams: {}\nnodes:\n  P: { op: identity, in: [A] }\n  L: { op: ${op}, in: [P, Y] }\n  J: { op: mean, in: [L] }\nloss: J\n`,
      "yaml",
    );
  it("accuracy of a bce classifier: 3 of 4 right", () => {
    const r = fitReport(graphFor("bce", 1), new Map([["A", fromRows([[0.9, 0.2, 0.7, 0.4]])], ["Y", fromRows([[1, 0, 0, 0]])]]));
    expect(r.metric).toEqual({ name: "accuracy", value: 0.75 });
    // The cost is the mean bce, −(log 0.9 + log 0.8 + log 0.3 + log 0.6)/4.
    expect(r.cost).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.3) + Math.log(0.6)) / 4, 14);
  });
  it("accuracy of a softmax classifier: argmax against one-hot targets, 1 of 2 right", () => {
    const r = fitReport(graphFor("softmax_cross_entropy", 2), new Map([["A", fromRows([[3, 0], [1, 2]])], ["Y", fromRows([[1, 1], [0, 0]])]]));
    expect(r.metric).toEqual({ name: "accuracy", value: 0.5 });
  });
  // The same with the cost a mean over items: weights W count each sample's items (0 for padding).
  const weightedFor = (op: string, rows: number) =>
    parseGraph(
      `gradstream: 1\nname: t\ninputs: { A: { shape: [${rows}, m] }, Y: { shape: [${rows}, m] }, W: { shape: [1, m] } }\nparams: {}\nnodes:\n  P: { op: identity, in: [A] }\n  L: { op: ${op}, in: [P, Y] }\n  J: { op: weighted_mean, in: [L, W] }\nloss: J\n`,
      "yaml",
    );
  it("accuracy over the items of a weighted cost: a masked sample does not count, an item count of 2 counts twice", () => {
    const r = fitReport(weightedFor("bce", 1), new Map([["A", fromRows([[0.9, 0.2, 0.7, 0.4]])], ["Y", fromRows([[1, 0, 0, 0]])], ["W", fromRows([[2, 1, 0, 1]])]]));
    expect(r.metric).toEqual({ name: "accuracy", value: 1 }); // the wrong prediction (sample 2) is padding
    const s = fitReport(weightedFor("bce", 1), new Map([["A", fromRows([[0.9, 0.2, 0.7, 0.4]])], ["Y", fromRows([[1, 0, 0, 0]])], ["W", fromRows([[0, 1, 2, 1]])]]));
    expect(s.metric).toEqual({ name: "accuracy", value: 0.5 }); // 2 of the 4 items are sample 2's
  });
  it("RMSE over the items of a weighted cost", () => {
    const r = fitReport(weightedFor("mse", 1), new Map([["A", fromRows([[1, 2, 3]])], ["Y", fromRows([[1, 0, 6]])], ["W", fromRows([[1, 0, 3]])]]));
    expect(r.metric.value).toBeCloseTo(Math.sqrt((0 + 3 * 9) / 4), 14);
  });
  it("RMSE of a regression: √(mean of squared errors over every entry)", () => {
    const r = fitReport(graphFor("mse", 1), new Map([["A", fromRows([[1, 2, 3]])], ["Y", fromRows([[1, 0, 6]])]]));
    expect(r.metric.name).toBe("rmse");
    expect(r.metric.value).toBeCloseTo(Math.sqrt((0 + 4 + 9) / 3), 14);
  });
});
