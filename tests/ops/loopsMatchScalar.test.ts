/**
 * Each elementwise op's loop is written out in its file (no per-element callback), next to its scalar
 * function `scalar` (the runtime's scalar path, and the op's definition in one line). The two must give the
 * same bits on every number, the awkward ones included: ±0, subnormals, ±∞, NaN, huge values.
 */
import { describe, expect, it } from "vitest";
import { allOps } from "../../src/ops/registry.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import type { OpDef } from "../../src/ops/op.ts";

const SPECIAL = [0.5, -0.3, 0, -0, 1, -1, 5e-324, -5e-324, 2.2e-308, 1e308, -1e308, Infinity, -Infinity, NaN, 40, -40, 800, -800, 3.7, -19.1];
const OTHER = [2, -0, 0.25, -3, NaN, 1e-300];

/** Indices (100 + i for the broadcast form) where the op's loop and its scalar function differ. */
function mismatches(op: OpDef): number[] {
  const unary = op.operands.length === 1;
  const a = tensor(1, SPECIAL.length, Float64Array.from(SPECIAL));
  const rows: number[] = [];
  for (const b of unary ? [0] : OTHER) {
    const B = tensor(1, SPECIAL.length, new Float64Array(SPECIAL.length).fill(b));
    const out = op.forward(unary ? [a] : [a, B], {});
    SPECIAL.forEach((x, i) => {
      if (!Object.is(out.data[i], op.scalar!(x, b, {}))) rows.push(i);
    });
    // and with B a broadcast column, for the binary ops: the same numbers
    if (!unary) {
      const col = op.forward([a, tensor(1, 1, Float64Array.of(b))], {});
      SPECIAL.forEach((x, i) => {
        if (!Object.is(col.data[i], op.scalar!(x, b, {}))) rows.push(100 + i);
      });
    }
  }
  return rows;
}

describe("elementwise loops agree with their scalar functions bit for bit", () => {
  for (const op of allOps().filter((o) => o.scalar)) it(op.name, () => expect(mismatches(op)).toEqual([]));

  it("the comparison can fail: a relu loop written as Math.max(z, 0) differs on NaN", () => {
    const relu = allOps().find((o) => o.name === "relu")!;
    const broken: OpDef = { ...relu, forward: ([z]) => tensor(z.shape[0], z.shape[1], z.data.map((v) => Math.max(v, 0))) };
    expect(mismatches(broken)).toEqual([SPECIAL.findIndex(Number.isNaN)]);
  });
});
