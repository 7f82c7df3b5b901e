/**
 * Valid operands for every op of the registry, at any sizes: what `checkOp` is run on. Values are chosen
 * where the op is smooth, so finite differences measure its derivative: relu and leaky_relu get |z| ≥ 0.1
 * (no kink within a step), bce and cross_entropy get predictions in [0.05, 0.95] (far from the ε clamp),
 * targets are what the loss expects (0/1 labels, one-hot columns).
 *
 * An op added to the registry without an entry here makes the registry test fail: say here what its
 * operands look like.
 *
 * @example
 * const gen = operandGenerator("linear");
 * const c = gen.make(gen.variants[0], { n: 3, k: 2, m: 4 }, createRng(1));
 * c.shapes   // [[3,2], [2,"m"], [3,1]]
 * c.operands // tensors of shapes [3,2], [2,4], [3,1]
 */
import type { Attrs, Shape } from "../../src/ops/op.ts";
import { type Tensor, tensor } from "../../src/tensor/tensor.ts";
import type { Rng } from "../../src/data/random.ts";

/** Sizes to build operands from: n rows, an inner size k (matmul, linear), m samples. */
export interface Dims {
  n: number;
  k: number;
  m: number;
}

export interface OpCase {
  variant: string;
  attrs: Attrs;
  /** Operand shapes with the batch size written as the symbol m. */
  shapes: Shape[];
  operands: Tensor[];
}

export interface OperandGenerator {
  /** Named kinds of operands the op must handle (e.g. broadcast of a column). */
  readonly variants: readonly string[];
  make(variant: string, dims: Dims, rng: Rng): OpCase;
}

type Kind = "real" | "awayFromZero" | "probability" | "labels" | "oneHot" | "positive" | "counts";
type Spec = { shape: Shape; kind: Kind; scale?: number };

/** A generator for ops whose variants differ only in operand specs and attributes. */
function operandsOf(variants: Record<string, (d: Dims) => { specs: Spec[]; attrs?: Attrs }>): OperandGenerator {
  return {
    variants: Object.keys(variants),
    make(variant, dims, rng) {
      const build = variants[variant];
      if (!build) throw new Error(`no operand variant '${variant}' (known: ${Object.keys(variants).join(", ")})`);
      const { specs, attrs = {} } = build(dims);
      return { variant, attrs, shapes: specs.map((s) => s.shape), operands: specs.map((s) => draw(s, dims.m, rng)) };
    },
  };
}

const M = "m";
const real = (shape: Shape, scale = 1): Spec => ({ shape, kind: "real", scale });
const sameShapeBinary = operandsOf({
  "same shape": ({ n }) => ({ specs: [real([n, M]), real([n, M])] }),
  "column broadcast": ({ n }) => ({ specs: [real([n, M]), real([n, 1])] }),
});

export const operandGenerators: Readonly<Record<string, OperandGenerator>> = {
  matmul: operandsOf({ plain: ({ n, k }) => ({ specs: [real([n, k]), real([k, M])] }) }),
  linear: operandsOf({ plain: ({ n, k }) => ({ specs: [real([n, k]), real([k, M]), real([n, 1])] }) }),
  add: sameShapeBinary,
  sub: sameShapeBinary,
  mul: sameShapeBinary,
  sigmoid: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M], 2)] }) }),
  tanh: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M], 1.5)] }) }),
  identity: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M])] }) }),
  relu: operandsOf({ plain: ({ n }) => ({ specs: [{ shape: [n, M], kind: "awayFromZero" }] }) }),
  leaky_relu: operandsOf({
    "default alpha": ({ n }) => ({ specs: [{ shape: [n, M], kind: "awayFromZero" }] }),
    "alpha 0.2": ({ n }) => ({ specs: [{ shape: [n, M], kind: "awayFromZero" }], attrs: { alpha: 0.2 } }),
  }),
  softmax: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M], 2)] }) }),
  bce: operandsOf({ plain: () => ({ specs: [{ shape: [1, M], kind: "probability" }, { shape: [1, M], kind: "labels" }] }) }),
  bce_logits: operandsOf({ plain: () => ({ specs: [real([1, M], 3), { shape: [1, M], kind: "labels" }] }) }),
  softmax_cross_entropy: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M], 2), { shape: [n, M], kind: "oneHot" }] }) }),
  cross_entropy: operandsOf({ plain: ({ n }) => ({ specs: [{ shape: [n, M], kind: "probability" }, { shape: [n, M], kind: "oneHot" }] }) }),
  mse: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M]), real([n, M])] }) }),
  mean: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M])] }) }),
  sum: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M])] }) }),
  // Weights stay away from 0: a finite difference at a weight of 0 would step to a negative weight, which
  // the op refuses (zero weights have their own tests in tests/ops/weightedMean.test.ts).
  weighted_mean: operandsOf({
    "positive weights": ({ n }) => ({ specs: [real([n, M]), { shape: [1, M], kind: "positive" }] }),
    "item counts 1..3": ({ n }) => ({ specs: [real([n, M]), { shape: [1, M], kind: "counts" }] }),
  }),
  center_batch: operandsOf({ plain: ({ n }) => ({ specs: [real([n, M])] }) }),
};

/** The generator of an op, or an error saying where to add one. */
export function operandGenerator(opName: string): OperandGenerator {
  const gen = Object.hasOwn(operandGenerators, opName) ? operandGenerators[opName] : undefined;
  if (!gen) throw new Error(`op '${opName}' has no operand generator: add one to tests/helpers/opOperands.ts`);
  return gen;
}

function draw({ shape, kind, scale = 1 }: Spec, m: number, rng: Rng): Tensor {
  const [rows, cols] = shape.map((d) => (d === M ? m : d)) as [number, number];
  const data = new Float64Array(rows * cols);
  switch (kind) {
    case "real":
      for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
      break;
    case "awayFromZero":
      for (let i = 0; i < data.length; i++) data[i] = (rng.next() < 0.5 ? -1 : 1) * (0.1 + Math.abs(rng.normal()));
      break;
    case "probability":
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(0.05, 0.95);
      break;
    case "labels":
      for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 0 : 1;
      break;
    case "positive":
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(0.5, 2.5);
      break;
    case "counts":
      for (let i = 0; i < data.length; i++) data[i] = 1 + rng.int(3);
      break;
    case "oneHot":
      for (let j = 0; j < cols; j++) data[rng.int(rows) * cols + j] = 1;
      break;
  }
  return tensor(rows, cols, data);
}
