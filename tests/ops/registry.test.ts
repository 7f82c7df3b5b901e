/**
 * The shared op contract (shape rule, backward = finite differences, determinism) applied to every op
 * of the registry. The list is read from `allOps()`, so an op added later is checked without editing
 * this file, and fails here until tests/helpers/opOperands.ts says what its operands look like.
 */
import { describe, expect, it } from "vitest";
import { allOps } from "../../src/ops/registry.ts";
import { createRng } from "../../src/data/random.ts";
import { checkOp } from "../helpers/finiteDifference.ts";
import { operandGenerator, operandGenerators, type Dims } from "../helpers/opOperands.ts";

// m = 1 (one sample), a broadcast-sized n = 1, and sizes where every dimension differs (a transposed
// index would show up as a wrong shape or a wrong value).
const SIZES: Dims[] = [
  { n: 1, k: 1, m: 1 },
  { n: 3, k: 2, m: 4 },
  { n: 4, k: 5, m: 3 },
];
const SEEDS = [1, 2];

describe.each(allOps().map((op) => [op.name, op] as const))("op %s", (name, op) => {
  it("has an operand generator", () => {
    expect(() => operandGenerator(name)).not.toThrow();
  });

  const gen = Object.hasOwn(operandGenerators, name) ? operandGenerators[name] : undefined;
  if (!gen) return;

  it.each(gen.variants.flatMap((variant) => SIZES.flatMap((dims) => SEEDS.map((seed) => ({ variant, dims, seed })))))(
    "$variant, n=$dims.n k=$dims.k m=$dims.m, seed $seed: shape rule, backward = finite differences, deterministic",
    ({ variant, dims, seed }) => {
      const c = gen.make(variant, dims, createRng(seed));
      const report = checkOp(op, c.operands, { attrs: c.attrs, symbolicShapes: c.shapes, m: dims.m, seed: seed + 100 });
      expect(report.failures).toEqual([]);
      expect(report.relativeDifferences).toHaveLength(op.operands.length);
    },
  );
});

describe("operand generators", () => {
  it("cover the broadcast of a column for add, sub and mul", () => {
    for (const name of ["add", "sub", "mul"]) {
      const c = operandGenerator(name).make("column broadcast", { n: 3, k: 1, m: 5 }, createRng(1));
      expect(c.operands.map((t) => t.shape)).toEqual([[3, 5], [3, 1]]);
    }
  });

  it("name no op the registry lacks (a renamed op would leave a stale entry)", () => {
    const names = new Set(allOps().map((op) => op.name));
    expect(Object.keys(operandGenerators).filter((n) => !names.has(n))).toEqual([]);
  });
});
