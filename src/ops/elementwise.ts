/**
 * Builders for the two families of elementwise ops: unary activations (`sigmoid`, `relu`, ...) and binary
 * ops whose second operand may be a column `[n,1]` broadcast over the samples (`add`, `sub`, `mul`).
 * Each family shares its shape rule and its plumbing; an op supplies its own loops, written out in its file
 * so the engine compiles each with its function inlined (a loop shared by all ops would call a function per
 * element through one call site that sees every op, and could inline none of them).
 */
import { type Tensor, output, tensor } from "../tensor/tensor.ts";
import type { Attrs, OpDef, Shape } from "./op.ts";
import { sameDim, showShape } from "./op.ts";

export function map(x: Tensor, f: (v: number) => number): Tensor {
  const src = x.data;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return tensor(x.shape[0], x.shape[1], out);
}

/** out[i] = f(a[i], b[i], c[i]) over three same-shaped tensors. */
export function zip3(a: Tensor, b: Tensor, c: Tensor, f: (x: number, y: number, z: number) => number): Tensor {
  const x = a.data, y = b.data, z = c.data;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i], y[i], z[i]);
  return tensor(a.shape[0], a.shape[1], out);
}

export interface ActivationSpec {
  name: string;
  attrs?: OpDef["attrs"];
  /** y = f(x) on one number: the runtime's scalar path; equal bit for bit to `forward` on one entry. */
  f: (x: number, attrs: Attrs) => number;
  /** y[i] = f(z[i]) for every i. */
  forward: (z: Float64Array, y: Float64Array, attrs: Attrs) => void;
  /** out[i] = g[i]·f'(z[i]), where y = f(z) (whichever of the two is cheaper to use). */
  backward: (g: Float64Array, z: Float64Array, y: Float64Array, out: Float64Array, attrs: Attrs) => void;
  /** Equations for `explain`. */
  equation: string;
  derivative: string;
}

export function activation(spec: ActivationSpec): OpDef {
  return {
    name: spec.name,
    kind: "activation",
    operands: ["Z"],
    attrs: spec.attrs,
    columnwise: true,
    shape: ([z]) => z,
    forward: ([z], attrs, out) => {
      const y = output(out, z.shape[0], z.shape[1]);
      spec.forward(z.data, y.data as Float64Array, attrs);
      return y;
    },
    scalar: (v, _unused, attrs) => spec.f(v, attrs),
    backward: [
      ({ inputs: [z], output: y, grad, attrs }, out) => {
        const dz = output(out, z.shape[0], z.shape[1]);
        spec.backward(grad.data, z.data, y.data, dz.data as Float64Array, attrs);
        return dz;
      },
    ],
    explain: { forward: spec.equation, backward: [spec.derivative] },
  };
}

/** Shape rule of `add`, `sub`, `mul`: equal shapes, or B a column `[n,1]` broadcast over A's columns. */
export function broadcastShape(name: string, [a, b]: readonly Shape[]): Shape | string {
  if (sameDim(a[0], b[0]) && sameDim(a[1], b[1])) return a;
  if (sameDim(a[0], b[0]) && b[1] === 1) return a;
  return `${name} ${showShape(a)}, ${showShape(b)}: shapes differ, and the second is not a column [${a[0]},1] to broadcast`;
}

/**
 * The loops of a binary op on an `[rows, cols]` A and a B of the same shape or, when `broadcast`, a column
 * `[rows, 1]` (B's entry for A's entry k is then b[row of k]).
 */
export interface BinarySpec {
  name: string;
  /** The op on single numbers (the runtime's scalar path); equal bit for bit to `forward` on one entry. */
  f: (a: number, b: number) => number;
  forward: (a: Float64Array, b: Float64Array, out: Float64Array, rows: number, cols: number, broadcast: boolean) => void;
  /** dJ/dA = G ⊙ ∂f/∂a. */
  backwardA: (g: Float64Array, a: Float64Array, b: Float64Array, out: Float64Array, rows: number, cols: number, broadcast: boolean) => void;
  /** dJ/dB = G ⊙ ∂f/∂b, summed over each row (left to right) when B is a broadcast column. */
  backwardB: (g: Float64Array, a: Float64Array, b: Float64Array, out: Float64Array, rows: number, cols: number, broadcast: boolean) => void;
  explain: OpDef["explain"];
}

/** A binary elementwise op with column broadcasting of its second operand. */
export function binary(spec: BinarySpec): OpDef {
  return {
    name: spec.name,
    kind: "elementwise",
    operands: ["A", "B"],
    columnwise: true,
    shape: (inputs) => broadcastShape(spec.name, inputs),
    forward: ([A, B], _attrs, out) => {
      const [r, c] = A.shape;
      const C = output(out, r, c);
      spec.forward(A.data, B.data, C.data as Float64Array, r, c, B.shape[1] !== c);
      return C;
    },
    scalar: spec.f,
    backward: [
      ({ inputs: [A, B], grad }, out) => {
        const [r, c] = A.shape;
        const dA = output(out, r, c);
        spec.backwardA(grad.data, A.data, B.data, dA.data as Float64Array, r, c, B.shape[1] !== c);
        return dA;
      },
      ({ inputs: [A, B], grad }, out) => {
        const [r, c] = A.shape;
        // A broadcast operand received the same value in every column, so its gradient sums them.
        const dB = output(out, B.shape[0], B.shape[1]);
        spec.backwardB(grad.data, A.data, B.data, dB.data as Float64Array, r, c, B.shape[1] !== c);
        return dB;
      },
    ],
    explain: spec.explain,
  };
}
