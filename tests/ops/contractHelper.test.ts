/**
 * The op-contract helper must be able to fail: each rule it checks is shown catching an op broken in
 * exactly that way. Without this, a helper that always passed would make the registry test worthless.
 */
import { describe, expect, it } from "vitest";
import { getOp } from "../../src/ops/registry.ts";
import type { OpDef } from "../../src/ops/op.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { fromRows } from "../helpers/tensors.ts";
import { checkOp, relativeDifference, bitwiseEqual } from "../helpers/finiteDifference.ts";

const tanh = getOp("tanh")!;
const Z = fromRows([[0.3, -1.2, 0.7], [2.0, -0.4, 0.1]]);

describe("checkOp catches a broken op", () => {
  it("passes the real tanh", () => {
    expect(checkOp(tanh, [Z]).failures).toEqual([]);
  });

  it("a backward that forgets the (1 − y²) factor", () => {
    const broken: OpDef = { ...tanh, name: "tanh_no_derivative", backward: [({ grad }) => grad] };
    const report = checkOp(broken, [Z]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(/^tanh_no_derivative: backward of operand Z differs from finite differences: relative difference/);
    expect(report.relativeDifferences[0]).toBeGreaterThan(1e-2);
  });

  it("a shape rule that disagrees with the forward", () => {
    const broken: OpDef = { ...tanh, name: "tanh_bad_shape", shape: ([z]) => [z[0], 1] };
    expect(checkOp(broken, [Z], { symbolicShapes: [[2, "m"]], m: 3 }).failures).toEqual([
      "tanh_bad_shape: shape rule says [2,1], forward returned [2,3]",
      "tanh_bad_shape: symbolic shape rule says [2,1] (m = 3), forward returned [2,3]",
    ]);
  });

  it("a backward of the wrong shape", () => {
    const broken: OpDef = { ...tanh, name: "tanh_bad_grad_shape", backward: [({ grad }) => tensor(1, grad.data.length, grad.data.slice())] };
    expect(checkOp(broken, [Z]).failures).toEqual(["tanh_bad_grad_shape: backward of operand Z has shape [1,6], the operand is [2,3]"]);
  });

  it("a forward that is not deterministic", () => {
    let calls = 0;
    const broken: OpDef = { ...tanh, name: "tanh_drifting", forward: (inputs, attrs) => {
      const y = tanh.forward(inputs, attrs);
      y.data[0] += ++calls * 1e-3;
      return y;
    } };
    expect(checkOp(broken, [Z]).failures).toContain("tanh_drifting: forward is not deterministic: two calls on the same operands differ");
  });

  it("a forward that adds into the output buffer it is handed instead of overwriting it", () => {
    const broken: OpDef = { ...tanh, name: "tanh_accumulating", forward: ([z], _attrs, out) => {
      const y = out ?? tensor(z.shape[0], z.shape[1]);
      for (let i = 0; i < z.data.length; i++) (y.data as Float64Array)[i] += Math.tanh(z.data[i]);
      return y;
    } };
    expect(checkOp(broken, [Z]).failures).toEqual(["tanh_accumulating: forward into a reused output buffer differs from forward into a fresh one (it reads the buffer)"]);
  });

  it("a backward that adds into the output buffer it is handed", () => {
    const broken: OpDef = { ...tanh, name: "tanh_grad_accumulating", backward: [(ctx, out) => {
      const fresh = tanh.backward[0](ctx);
      if (!out) return fresh;
      for (let i = 0; i < fresh.data.length; i++) (out.data as Float64Array)[i] += fresh.data[i];
      return out;
    }] };
    expect(checkOp(broken, [Z]).failures).toEqual(["tanh_grad_accumulating: backward of operand Z into a reused output buffer differs from a fresh one (it reads the buffer)"]);
  });

  it("a forward that writes into its operand", () => {
    const broken: OpDef = { ...tanh, name: "tanh_in_place", forward: ([z]) => {
      for (let i = 0; i < z.data.length; i++) (z.data as Float64Array)[i] = Math.tanh(z.data[i]);
      return z;
    } };
    const operand = fromRows([[0.3, -1.2], [2.0, -0.4]]);
    expect(checkOp(broken, [operand]).failures).toContain("tanh_in_place: forward or backward modified operand Z");
  });
});

describe("relativeDifference and bitwiseEqual", () => {
  it("relativeDifference is ‖a − b‖/(‖a‖ + ‖b‖), 0 for two zero vectors", () => {
    expect(relativeDifference([3, 4], [0, 0])).toBe(1);
    expect(relativeDifference([0, 0], [0, 0])).toBe(0);
    expect(relativeDifference([1, 1], [1, 1])).toBe(0);
    expect(relativeDifference([2], [1])).toBeCloseTo(1 / 3, 15);
  });

  it("bitwiseEqual tells −0 from 0 and matches NaN with NaN", () => {
    expect(bitwiseEqual(Float64Array.of(0), Float64Array.of(-0))).toBe(false);
    expect(bitwiseEqual(Float64Array.of(NaN), Float64Array.of(NaN))).toBe(true);
    expect(bitwiseEqual(Float64Array.of(1, 2), Float64Array.of(1))).toBe(false);
  });
});
