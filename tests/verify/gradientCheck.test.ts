/**
 * The finite-difference check against gradients written out by hand, against a backward known to be wrong,
 * and at a kink.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { bindData, randomBindings } from "../../src/data/bindData.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { registerOp } from "../../src/ops/registry.ts";
import { tanh } from "../../src/ops/tanh.ts";
import { zip3 } from "../../src/ops/elementwise.ts";
import { gradientCheck } from "../../src/verify/gradientCheck.ts";
import { forward } from "../../src/graph/evaluate.ts";
import { relativeDifference } from "../../src/verify/relativeDifference.ts";

const inline = (body: string) => parseGraph(`gradstream: 1\nname: t\n${body}\nloss: J`, "yaml", "t.yaml");

// J = mean over samples of mean over rows of (W·x − y)²: dJ/dW = (2/(n·m))·(W·X − Y)·Xᵀ
const regression = inline(`inputs:
  X: { shape: [3, m] }
  Y: { shape: [2, m] }
params:
  W: { shape: [2, 3] }
nodes:
  Z: { op: matmul, in: [W, X] }
  L: { op: mse, in: [Z, Y] }
  J: { op: mean, in: [L] }`);
const data = { inputs: { X: [[1, -2, 0.5, 3], [0.2, 1, -1, 0], [2, 0.1, 0.3, -1]], Y: [[1, 0, -1, 2], [0, 1, 1, -0.5]] }, params: { W: [[0.5, -1, 0.3], [1.2, 0.4, -0.8]] } };

describe("gradientCheck", () => {
  it("matches the gradient of a least-squares cost written out by hand to < 1e-7 (the course's 'correct')", () => {
    const { values } = bindData(data, regression);
    const [X, Y, W] = [data.inputs.X, data.inputs.Y, data.params.W];
    const byHand = tensor(2, 3);
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 3; c++)
        for (let j = 0; j < 4; j++) {
          const z = W[r][0] * X[0][j] + W[r][1] * X[1][j] + W[r][2] * X[2][j];
          byHand.data[r * 3 + c] += ((2 / (2 * 4)) * (z - Y[r][j]) * X[c][j]);
        }
    const check = gradientCheck(regression, values, { analytic: new Map([["W", byHand]]) });
    expect(check.params[0].relativeDifference).toBeLessThan(1e-7);
    expect(relativeDifference(check.params[0].numeric, byHand.data)).toBeLessThan(1e-7);
    expect(check.params[0].indices).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("flags a backward that is wrong", () => {
    const { values } = bindData(data, regression);
    const wrong = tensor(2, 3, Float64Array.from([1, 2, 3, 4, 5, 6]));
    expect(gradientCheck(regression, values, { analytic: new Map([["W", wrong]]) }).params[0].relativeDifference).toBeGreaterThan(0.1);
  });

  describe("on a graph with an op whose backward is 1% off", () => {
    let unregister = () => {};
    beforeAll(() => {
      unregister = registerOp({ ...tanh, name: "tanh_off", backward: [({ inputs: [z], output, grad }) => zip3(grad, z, output, (g, _x, y) => 1.01 * g * (1 - y * y))] });
    });
    afterAll(() => unregister());
    it("reports a relative difference far above 1e-7 for the params upstream of it, and none downstream", () => {
      const graph = inline(`inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W1: { shape: [3, 2], init: { normal: 1 } }
  W2: { shape: [1, 3], init: { normal: 1 } }
nodes:
  Z1: { op: matmul, in: [W1, X] }
  A1: { op: tanh_off, in: [Z1] }
  Z2: { op: matmul, in: [W2, A1] }
  L: { op: bce_logits, in: [Z2, Y] }
  J: { op: mean, in: [L] }`);
      const check = gradientCheck(graph, randomBindings(graph, 6, 2).values);
      const [w1, w2] = check.params;
      expect(w1.relativeDifference).toBeGreaterThan(1e-3);
      expect(w1.withinUncertainty).toBe(false);
      expect(w2.relativeDifference).toBeLessThan(1e-7);
    });
  });

  it("does not compare entries where the cost has a kink at θ (relu at exactly 0: no derivative)", () => {
    const graph = inline(`inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W1: { shape: [3, 2] }
  W2: { shape: [1, 3] }
nodes:
  Z1: { op: matmul, in: [W1, X] }
  A1: { op: relu, in: [Z1] }
  Z2: { op: matmul, in: [W2, A1] }
  L: { op: mse, in: [Z2, Y] }
  J: { op: mean, in: [L] }`);
    // W1 = 0: every pre-activation is exactly 0, where relu has no derivative (the backward takes relu'(0) = 0,
    // finite differences see the average of the two sides)
    const { values } = bindData({ inputs: { X: [[1, -2, 0.5], [0.3, 1, -1]], Y: [[1, 0, -1]] }, params: { W1: [[0, 0], [0, 0], [0, 0]], W2: [[0.5, -1, 2]] } }, graph);
    const [w1, w2] = gradientCheck(graph, values).params;
    expect(w1.nonSmooth).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w1.indices).toEqual([]);
    expect(w2.nonSmooth).toEqual([]);
    expect(w2.indices).toEqual([0, 1, 2]);
  });

  it("estimates the precision of a cost computed with cancellation (bce of a saturated sigmoid), and checks within it", () => {
    // Sample 0 has z ≈ 19.5 and y = 0: a = σ(z) = 1 − 3e-9, and −log(1 − a) keeps ~7 digits, so J moves in
    // steps of ~1e-10 as w moves. The backward, bce'·σ' = a − y, is exact; finite differences are not.
    const graph = inline(`inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  w: { shape: [1, 2] }
  b: { shape: [1, 1] }
nodes:
  Z: { op: linear, in: [w, X, b] }
  A: { op: sigmoid, in: [Z] }
  L: { op: bce, in: [A, Y] }
  J: { op: mean, in: [L] }`);
    const { values } = bindData({ inputs: { X: [[9.5, 0.3, -1], [10, -0.2, 0.4]], Y: [[0, 1, 0]] }, params: { w: [[1, 1]], b: [[0]] } }, graph);
    const check = gradientCheck(graph, values);
    // J ≈ 6.5: float64 alone would put its precision near 1e-15; the saturated sample costs ~6 digits more
    expect(check.costPrecision).toBeGreaterThan(1e-10);
    // the course's single central difference at ε = 1e-7 would blame the backward
    const J = (db: number) => forward(graph, new Map([...values, ["b", tensor(1, 1, Float64Array.of(db))]])).get("J")!.data[0];
    const course = (J(1e-7) - J(-1e-7)) / 2e-7;
    expect(relativeDifference(Float64Array.of(course), check.params[1].analytic)).toBeGreaterThan(1e-6);
    for (const p of check.params) expect(p.withinUncertainty, p.param).toBe(true);
    // and the 1% error of the test above would still be seen: the uncertainty is far below the gradient
    for (const p of check.params) for (let i = 0; i < p.indices.length; i++) expect(30 * p.uncertainty[i]).toBeLessThan(0.01 * Math.abs(p.analytic[i]));
  });

  it("checks a seeded random subset of entries when asked", () => {
    const graph = inline(`inputs:
  X: { shape: [20, m] }
  Y: { shape: [1, m] }
params:
  W: { shape: [1, 20], init: { normal: 1 } }
nodes:
  Z: { op: matmul, in: [W, X] }
  L: { op: bce_logits, in: [Z, Y] }
  J: { op: mean, in: [L] }`);
    const { values } = randomBindings(graph, 5, 1);
    const a = gradientCheck(graph, values, { coordinates: 6, seed: 9 }).params[0];
    const b = gradientCheck(graph, values, { coordinates: 6, seed: 9 }).params[0];
    expect(a.indices).toHaveLength(6);
    expect(new Set(a.indices).size).toBe(6);
    expect(a.indices).toEqual(b.indices);
    expect(a.relativeDifference).toBeLessThan(1e-7);
  });
});
