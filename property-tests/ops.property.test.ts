/**
 * Property: for a random op of the registry, random sizes (1..6 rows, 1..6 samples, inner sizes 1..6)
 * and random values, the op keeps its contract (tests/helpers/finiteDifference.ts): shape rule = forward's
 * shape, every backward = central finite differences (relative difference < 1e-7), deterministic.
 *
 * And the property can fail: the same property run on deliberately broken variants, defined here, finds
 * a counterexample and reports it with its seed, shrunk to small sizes.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { allOps, getOp } from "../src/ops/registry.ts";
import type { OpDef } from "../src/ops/op.ts";
import { scale } from "../src/tensor/kernels.ts";
import { createRng } from "../src/data/random.ts";
import { assertOpContract } from "../tests/helpers/finiteDifference.ts";
import { operandGenerator, type OperandGenerator } from "../tests/helpers/opOperands.ts";

interface Subject {
  op: OpDef;
  generator: OperandGenerator;
}

const size = fc.integer({ min: 1, max: 6 });

/** The contract of one of `subjects`, chosen at random, on random operands. */
function opContract(subjects: readonly Subject[]) {
  const arbitrary = fc.record({
    subject: fc.constantFrom(...subjects),
    variant: fc.nat(),
    dims: fc.record({ n: size, k: size, m: size }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });
  return fc.property(arbitrary, ({ subject: { op, generator }, variant, dims, seed }) => {
    const c = generator.make(generator.variants[variant % generator.variants.length], dims, createRng(seed));
    assertOpContract(op, c.operands, { attrs: c.attrs, symbolicShapes: c.shapes, m: dims.m, seed });
  });
}

const registry: Subject[] = allOps().map((op) => ({ op, generator: operandGenerator(op.name) }));

it("every op of the registry: backward equals finite differences, for random shapes and values", () => {
  fc.assert(opContract(registry), { numRuns: 1000 });
});

describe("the property fails on a broken op", () => {
  const tanh = getOp("tanh")!;
  const linear = getOp("linear")!;
  // tanh whose backward forgets the (1 − y²) factor: passes gradients through as if tanh were identity
  const tanhWithoutDerivative: OpDef = { ...tanh, name: "tanh_without_derivative", backward: [({ grad }) => grad] };
  // linear whose dW is off by a factor of 2 (the kind of slip a 1/m or a sum over samples causes)
  const linearDoubleDW: OpDef = {
    ...linear,
    name: "linear_double_dW",
    backward: [(ctx) => scale(linear.backward[0](ctx), 2), linear.backward[1], linear.backward[2]],
  };

  it.each([
    [tanhWithoutDerivative, "tanh", /tanh_without_derivative: backward of operand Z differs from finite differences/],
    [linearDoubleDW, "linear", /linear_double_dW: backward of operand W differs from finite differences/],
  ] as const)("%s: fc.check finds and reports a counterexample", (broken, like, says) => {
    const result = fc.check(opContract([{ op: broken, generator: operandGenerator(like) }]), { numRuns: 100 });
    expect(result.failed).toBe(true);
    expect(result.counterexample).not.toBeNull();
    expect(result.errorInstance).toBeInstanceOf(Error);
    expect(String((result.errorInstance as Error).message)).toMatch(says);
    // shrunk to the smallest sizes: one row, one sample
    const [{ dims }] = result.counterexample!;
    expect(dims).toMatchObject({ n: 1, m: 1 });
    // the report a failing fc.assert would print: seed, path and the counterexample
    const report = fc.defaultReportMessage(result)!;
    expect(report).toContain(`seed: ${result.seed}`);
    expect(report).toContain("Counterexample:");
    expect(report).toContain(broken.name);
  });
});
