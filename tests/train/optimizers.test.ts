/**
 * Each optimizer's update against steps computed by hand (the arithmetic is written out in the comments
 * and literals; nothing here calls the code under test to get an expected value), and the purity of a
 * step: the previous state is left as it was, frozen, and shares nothing that the step wrote.
 */
import { describe, expect, it } from "vitest";
import { fromRows } from "../helpers/tensors.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { sgd } from "../../src/train/sgd.ts";
import { momentum } from "../../src/train/momentum.ts";
import { adam } from "../../src/train/adam.ts";
import { createOptimizer } from "../../src/train/createOptimizer.ts";
import type { Optimizer } from "../../src/train/optimizer.ts";

// One param W = [1, −2], two steps with gradients g1 = [0.5, 0.25] and g2 = [1, −1], learning rate 0.1.
const W = fromRows([[1, -2]]);
const g1 = { W: fromRows([[0.5, 0.25]]) };
const g2 = { W: fromRows([[1, -1]]) };

function twoSteps(opt: Optimizer) {
  const s0 = opt.init({ W });
  const s1 = opt.step(s0, g1);
  const s2 = opt.step(s1, g2);
  return { s0, s1, s2 };
}

function expectRow(t: Tensor, expected: number[], rel = 1e-14) {
  expect(t.shape).toEqual([1, expected.length]);
  expected.forEach((e, i) => expect(Math.abs(t.data[i] - e)).toBeLessThanOrEqual(rel * Math.abs(e)));
}

describe("sgd", () => {
  it("θ ← θ − η·g", () => {
    const { s1, s2 } = twoSteps(sgd({ lr: 0.1 }));
    expectRow(s1.params.W, [0.95, -2.025]); // 1 − 0.1·0.5, −2 − 0.1·0.25
    expectRow(s2.params.W, [0.85, -1.925]); // 0.95 − 0.1·1, −2.025 + 0.1·1
    expect(s2.step).toBe(2);
    expect(s2.slots).toEqual({});
  });
});

describe("momentum (β = 0.9 by default)", () => {
  it("v ← βv + (1−β)g, θ ← θ − η·v", () => {
    const opt = momentum({ lr: 0.1 });
    expect(opt.hyper).toEqual({ lr: 0.1, beta: 0.9 });
    const { s0, s1, s2 } = twoSteps(opt);
    expectRow(s0.slots.velocity.W, [0, 0]);
    expectRow(s1.slots.velocity.W, [0.05, 0.025]); // 0.1·0.5, 0.1·0.25
    expectRow(s1.params.W, [0.995, -2.0025]); // 1 − 0.1·0.05, −2 − 0.1·0.025
    expectRow(s2.slots.velocity.W, [0.145, -0.0775]); // 0.9·0.05 + 0.1·1, 0.9·0.025 − 0.1
    expectRow(s2.params.W, [0.9805, -1.99475]); // 0.995 − 0.0145, −2.0025 + 0.00775
  });
  it("β = 0 is sgd", () => {
    expectRow(twoSteps(momentum({ lr: 0.1, beta: 0 })).s2.params.W, [0.85, -1.925]);
  });
});

describe("adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected)", () => {
  it("matches two steps done by hand", () => {
    const opt = adam({ lr: 0.1 });
    expect(opt.hyper).toEqual({ lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const { s1, s2 } = twoSteps(opt);
    // t = 1: m = 0.1·g1 = [0.05, 0.025], v = 0.001·g1² = [0.00025, 0.0000625]; m̂ = m/0.1 = g1, v̂ = v/0.001 = g1²,
    // so the step is η·g/(|g| + ε) = 0.1·0.5/0.50000001 and 0.1·0.25/0.25000001.
    expectRow(s1.slots.m.W, [0.05, 0.025]);
    expectRow(s1.slots.v.W, [0.00025, 0.0000625]);
    expectRow(s1.params.W, [1 - 0.05 / 0.50000001, -2 - 0.025 / 0.25000001]);
    // t = 2: m = 0.9·m + 0.1·g2 = [0.145, −0.0775]; v = 0.999·v + 0.001·g2² = [0.00124975, 0.0010624375];
    // 1 − 0.9² = 0.19, 1 − 0.999² = 0.001999.
    expectRow(s2.slots.m.W, [0.145, -0.0775]);
    expectRow(s2.slots.v.W, [0.00124975, 0.0010624375]);
    const p1 = [1 - 0.05 / 0.50000001, -2 - 0.025 / 0.25000001];
    expectRow(s2.params.W, [
      p1[0] - (0.1 * (0.145 / 0.19)) / (Math.sqrt(0.00124975 / 0.001999) + 1e-8),
      p1[1] - (0.1 * (-0.0775 / 0.19)) / (Math.sqrt(0.0010624375 / 0.001999) + 1e-8),
    ]);
    expect(s2.step).toBe(2);
  });
  it("takes a first step of about η·sign(g) whatever the gradient's scale", () => {
    const opt = adam({ lr: 0.01 });
    const s = opt.step(opt.init({ W }), { W: fromRows([[3e4, -2e-3]]) });
    expectRow(s.params.W, [1 - 0.01, -2 + 0.01], 1e-5);
  });
});

describe("every optimizer", () => {
  for (const name of ["sgd", "momentum", "adam"] as const) {
    it(`${name}: a step is pure (the old state is unchanged and frozen; new tensors replace old ones)`, () => {
      const opt = createOptimizer(name, { lr: 0.1 });
      const s0 = opt.init({ W, b: fromRows([[0.5]]) });
      const before = JSON.stringify(s0, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
      const s1 = opt.step(s0, { W: g1.W, b: fromRows([[1]]) });
      expect(JSON.stringify(s0, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(before);
      expect(Object.isFrozen(s1)).toBe(true);
      expect(Object.isFrozen(s1.params)).toBe(true);
      expect(s1.params.W).not.toBe(s0.params.W);
      expect(s1.params.W.data).not.toBe(s0.params.W.data);
      expect(Object.isFrozen(s1.params.W)).toBe(true);
    });
    it(`${name}: a missing gradient is an error naming the param`, () => {
      const opt = createOptimizer(name, { lr: 0.1 });
      expect(() => opt.step(opt.init({ W }), {})).toThrow(/no gradient for param 'W'/);
    });
  }
});
