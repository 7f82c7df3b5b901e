/**
 * `weighted_mean` beyond the registry's finite-difference contract (which needs weights away from 0): its
 * values against sums written out by hand and against `mean` on the items alone, its gradient at weights
 * of exactly 0 (a masked sample gets none), its shape rule, and its errors — a batch with no items is a
 * compute error naming the node (exit 1), a negative weight in a data file is bad input naming the input
 * and the sample (exit 2).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getOp } from "../../src/ops/registry.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { forward } from "../../src/graph/evaluate.ts";
import { bindData } from "../../src/data/bindData.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { GradstreamError } from "../../src/errors.ts";
import { fromRows } from "../helpers/tensors.ts";
import { runCli } from "../helpers/runCli.ts";

const op = getOp("weighted_mean")!;
const mean = getOp("mean")!;
const G = fromRows([[2], [-1]]);

describe("weighted_mean: Σᵢ wᵢ·Lᵢ / Σᵢ wᵢ", () => {
  const L = fromRows([[1, 2, 9, 4], [0, -3, 5, 1]]);

  it("computes the weighted mean of each row (by hand: (1·1 + 3·2 + 0·9 + 2·4)/6, (0 − 9 + 0 + 2)/6)", () => {
    const y = op.forward([L, fromRows([[1, 3, 0, 2]])], {});
    expect(y.shape).toEqual([2, 1]);
    expect(y.data[0]).toBeCloseTo(15 / 6, 15);
    expect(y.data[1]).toBeCloseTo(-7 / 6, 15);
  });

  it("with a 0/1 mask it is the mean over the unmasked samples, and the gradient of a masked sample is exactly 0", () => {
    const W = fromRows([[1, 0, 1, 0]]);
    const kept = fromRows([[1, 9], [0, 5]]);
    expect([...op.forward([L, W], {}).data]).toEqual([...mean.forward([kept], {}).data]);
    const dL = op.backward[0]({ inputs: [L, W], output: op.forward([L, W], {}), grad: G, attrs: {} });
    expect([...dL.data]).toEqual([1, 0, 1, 0, -0.5, -0, -0.5, -0]);
  });

  it("an item count of k weighs a sample as k copies of it", () => {
    const counts = op.forward([L, fromRows([[2, 1, 0, 1]])], {});
    const copies = mean.forward([fromRows([[1, 1, 2, 4], [0, 0, -3, 1]])], {});
    expect(counts.data[0]).toBeCloseTo(copies.data[0], 15);
    expect(counts.data[1]).toBeCloseTo(copies.data[1], 15);
  });

  it("dJ/dw at a zero weight is (Lᵢ − J)·G/Σw: adding a little of a masked sample pulls the mean toward it", () => {
    const W = fromRows([[1, 0, 1, 0]]);
    const y = op.forward([L, W], {});
    const dW = op.backward[1]({ inputs: [L, W], output: y, grad: G, attrs: {} });
    const expected = [0, 1, 2, 3].map((j) => (2 * (L.data[j] - y.data[0]) - (L.data[4 + j] - y.data[1])) / 2);
    dW.data.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 14));
    // one-sided finite difference at w₁ = 0 (a step below 0 would make the weight negative)
    const h = 1e-7;
    const up = op.forward([L, fromRows([[1, h, 1, 0]])], {});
    expect((2 * (up.data[0] - y.data[0]) - (up.data[1] - y.data[1])) / h).toBeCloseTo(dW.data[1], 5);
  });

  it("one sample: the mean is exactly L whatever the weight, and dJ/dw exactly 0 (regression: finite differences saw 1e-13 of rounding)", () => {
    const one = fromRows([[0.3], [-1.7]]);
    for (const w of [0.7, 1, 3, 1e-3]) {
      const W = fromRows([[w]]);
      const y = op.forward([one, W], {});
      expect([...y.data]).toEqual([0.3, -1.7]);
      expect([...op.backward[1]({ inputs: [one, W], output: y, grad: G, attrs: {} }).data]).toEqual([0]);
    }
  });

  it("shape rule: weights are one row [1,m] with the values' samples", () => {
    expect(op.shape([[3, "m"], [1, "m"]], {})).toEqual([3, 1]);
    expect(op.shape([[3, "m"], [2, "m"]], {})).toBe("weighted_mean: weights [2,m] must be one row [1,m], one weight per sample");
    expect(op.shape([[3, "m"], [1, 5]], {})).toBe("weighted_mean: values [3,m] and weights [1,5] differ in samples (columns)");
  });
});

const graphText = `gradstream: 1
name: masked
inputs: { X: { shape: [2, m] }, Y: { shape: [1, m] }, M: { shape: [1, m] } }
params: { w: { shape: [1, 2] }, b: { shape: [1, 1], init: zeros } }
nodes:
  Z: { op: linear, in: [w, X, b] }
  L: { op: bce_logits, in: [Z, Y] }
  J: { op: weighted_mean, in: [L, M] }
loss: J
`;
const graph = parseGraph(graphText, "yaml", "masked.yaml");
const data = (mask: number[]) => ({ inputs: { X: [[1, 2, 3], [0, 1, 0]], Y: [[1, 0, 1]], M: [mask] } });

describe("weighted_mean's errors", () => {
  it("a batch whose weights sum to 0: a COMPUTE error naming the file and the node, from forward and from the runtime", () => {
    const { values } = bindData(data([0, 0, 0]), graph, 1, "d.json");
    const fromForward = (() => {
      try {
        forward(graph, values);
      } catch (e) {
        return e;
      }
    })() as GradstreamError;
    expect(fromForward).toBeInstanceOf(GradstreamError);
    expect(fromForward.code).toBe("COMPUTE");
    expect(fromForward.message).toBe("masked.yaml: node J: weighted_mean failed: the weights sum to 0: the batch holds no items to average over (every sample is masked out)");
    const good = bindData(data([1, 0, 1]), graph, 1, "d.json").values;
    const rt = createRuntime(graph, { inputs: { X: good.get("X")!, Y: good.get("Y")!, M: good.get("M")! } });
    const costs: number[] = [];
    rt.value$("J").subscribe((j) => costs.push(j.data[0]));
    expect(() => rt.set({ M: [[0, 0, 0]] })).toThrow("masked.yaml: node J: weighted_mean failed: the weights sum to 0");
    expect(costs).toHaveLength(1); // the transaction was rejected: nothing emitted, the last good state stays
    expect([...rt.snapshot().values.M.data]).toEqual([1, 0, 1]);
    rt.dispose();
  });

  it("a negative weight in a data file: DATA_INVALID naming the file, the input and the sample", () => {
    expect(() => bindData(data([1, -1, 1]), graph, 1, "d.json")).toThrow(
      "d.json: node M: the weight of sample 1 is -1: 'M' holds the weights of J (weighted_mean), which count items and must be ≥ 0 (field 'inputs.M')",
    );
  });

  it("the command line: exit 1 for a batch with no items, exit 2 for a negative weight", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gs-wmean-"));
    writeFileSync(join(dir, "masked.yaml"), graphText);
    writeFileSync(join(dir, "empty.json"), JSON.stringify(data([0, 0, 0])));
    writeFileSync(join(dir, "negative.json"), JSON.stringify(data([1, 0, -2])));
    const empty = await runCli(["grad", join(dir, "masked.yaml"), "--data", join(dir, "empty.json")]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("node J: weighted_mean failed: the weights sum to 0");
    const negative = await runCli(["run", join(dir, "masked.yaml"), "--data", join(dir, "negative.json")]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain("node M: the weight of sample 2 is -2");
    expect(negative.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
