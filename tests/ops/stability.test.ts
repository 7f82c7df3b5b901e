/**
 * The losses stay finite where a naive formula overflows: bce_logits and softmax_cross_entropy for logits
 * of ±1e4 (exp(1e4) = ∞ in float64), and bce at predictions of exactly 0 or 1 (log 0 = −∞), which it
 * clamps to [ε, 1−ε] as src/ops/bce.ts documents. Reference values are the mathematical limits.
 */
import { describe, expect, it } from "vitest";
import { getOp } from "../../src/ops/registry.ts";
import { BCE_EPSILON } from "../../src/ops/bce.ts";
import type { OpDef } from "../../src/ops/op.ts";
import { type Tensor, filled } from "../../src/tensor/tensor.ts";
import { fromRows } from "../helpers/tensors.ts";

/** Forward, and each operand's backward with an upstream gradient of ones. */
function evaluate(op: OpDef, inputs: Tensor[]) {
  const output = op.forward(inputs, {});
  const grad = filled(output.shape[0], output.shape[1], 1);
  const grads = op.backward.map((b) => b({ inputs, output, grad, attrs: {} }));
  return { output: Array.from(output.data), grads: grads.map((g) => Array.from(g.data)) };
}

const allFinite = (xs: number[]) => xs.every(Number.isFinite);

describe("bce_logits for logits of ±1e4", () => {
  const { output, grads } = evaluate(getOp("bce_logits")!, [fromRows([[-1e4, 1e4, -1e4, 1e4]]), fromRows([[0, 0, 1, 1]])]);

  it("the loss is finite and equals its limit: 0 when right, |z| when wrong", () => {
    expect(output).toEqual([0, 1e4, 1e4, 0]);
  });

  it("the gradient is finite: dZ = σ(z) − y", () => {
    expect(allFinite(grads[0]) && allFinite(grads[1])).toBe(true);
    expect(grads[0]).toEqual([0, 1, -1, 0]);
    expect(grads[1]).toEqual([1e4, -1e4, 1e4, -1e4]); // ∂L/∂y = −z
  });
});

describe("softmax_cross_entropy for logits of ±1e4", () => {
  // every column is (1e4, −1e4, 0); the label is row 0, 1, 2 in columns 0, 1, 2
  const Z = fromRows([[1e4, 1e4, 1e4], [-1e4, -1e4, -1e4], [0, 0, 0]]);
  const Y = fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const { output, grads } = evaluate(getOp("softmax_cross_entropy")!, [Z, Y]);

  it("the loss is finite and equals lse(z) − z_label = 1e4 − z_label", () => {
    expect(output).toEqual([0, 2e4, 1e4]);
  });

  it("the gradient is finite: dZ = softmax(z) − y with softmax = (1, 0, 0)", () => {
    expect(allFinite(grads[0]) && allFinite(grads[1])).toBe(true);
    expect(grads[0]).toEqual([0, 1, 1, 0, -1, 0, 0, 0, -1]);
  });

  it("softmax itself is finite there", () => {
    expect(Array.from(getOp("softmax")!.forward([Z], {}).data)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
});

describe("bce at a = 0 or 1 (clamped to [ε, 1−ε], ε = 1e-15)", () => {
  const A = fromRows([[0, 1, 0, 1]]);
  const Y = fromRows([[0, 0, 1, 1]]);
  const { output, grads } = evaluate(getOp("bce")!, [A, Y]);

  it("the loss is finite: about ε when right, about −log ε ≈ 34.5 when wrong", () => {
    expect(allFinite(output)).toBe(true);
    const wrong = -Math.log(BCE_EPSILON);
    expect(output[0]).toBeLessThan(1e-14);
    expect(output[3]).toBeLessThan(1e-14);
    expect(output[1]).toBeCloseTo(wrong, 0); // 1 − (1 − ε) rounds to 1.1e-15 in float64
    expect(output[2]).toBeCloseTo(wrong, 12);
  });

  it("the gradient is finite and points the right way", () => {
    expect(allFinite(grads[0]) && allFinite(grads[1])).toBe(true);
    // dA = (a − y)/(a(1 − a)): positive where the loss falls as a falls, negative where it falls as a rises
    expect(grads[0].map(Math.sign)).toEqual([1, 1, -1, -1]);
  });

  it("the clamp constant is the documented ε", () => {
    expect(BCE_EPSILON).toBe(1e-15);
  });
});

it("cross_entropy at a = 0 is finite too (same floor ε)", () => {
  const { output, grads } = evaluate(getOp("cross_entropy")!, [fromRows([[0, 1], [1, 0]]), fromRows([[1, 1], [0, 0]])]);
  expect(allFinite(output) && allFinite(grads[0]) && allFinite(grads[1])).toBe(true);
  expect(output[0]).toBeCloseTo(-Math.log(BCE_EPSILON), 12);
  expect(output[1]).toBe(0);
});

it("sigmoid is finite and saturates exactly for ±1e4", () => {
  const s = getOp("sigmoid")!;
  const { output, grads } = evaluate(s, [fromRows([[-1e4, 1e4]])]);
  expect(output).toEqual([0, 1]);
  expect(grads[0]).toEqual([0, 0]);
});
