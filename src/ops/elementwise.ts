/**
 * Builders for the two families of elementwise ops: unary activations (`sigmoid`, `relu`, ...) and binary
 * ops whose second operand may be a column `[n,1]` broadcast over the samples (`add`, `sub`, `mul`).
 * Each family shares its shape rule and its loop; an op supplies only its scalar function and derivative.
 */
import { type Tensor, tensor } from "../tensor/tensor.ts";
import { sumColumns } from "../tensor/kernels.ts";
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
  /** y = f(x). */
  f: (x: number, attrs: Attrs) => number;
  /** dy/dx from x and y (whichever is cheaper to use). */
  df: (x: number, y: number, attrs: Attrs) => number;
  forward: string;
  backward: string;
}

export function activation(spec: ActivationSpec): OpDef {
  return {
    name: spec.name,
    kind: "activation",
    operands: ["Z"],
    attrs: spec.attrs,
    columnwise: true,
    shape: ([z]) => z,
    forward: ([z], attrs) => map(z, (v) => spec.f(v, attrs)),
    scalar: (v, _unused, attrs) => spec.f(v, attrs),
    backward: [({ inputs: [z], output, grad, attrs }) => zip3(grad, z, output, (g, x, y) => g * spec.df(x, y, attrs))],
    explain: { forward: spec.forward, backward: [spec.backward] },
  };
}

/** Shape rule of `add`, `sub`, `mul`: equal shapes, or B a column `[n,1]` broadcast over A's columns. */
export function broadcastShape(name: string, [a, b]: readonly Shape[]): Shape | string {
  if (sameDim(a[0], b[0]) && sameDim(a[1], b[1])) return a;
  if (sameDim(a[0], b[0]) && b[1] === 1) return a;
  return `${name} ${showShape(a)}, ${showShape(b)}: shapes differ, and the second is not a column [${a[0]},1] to broadcast`;
}

/** A binary elementwise op with column broadcasting of its second operand. */
export function binary(
  name: string,
  f: (a: number, b: number) => number,
  /** ∂f/∂a and ∂f/∂b at (a, b). */
  da: (a: number, b: number) => number,
  db: (a: number, b: number) => number,
  explain: OpDef["explain"],
): OpDef {
  const combine = (A: Tensor, B: Tensor, h: (a: number, b: number, i: number) => number): Tensor => {
    const [r, c] = A.shape;
    const out = new Float64Array(r * c);
    const x = A.data, y = B.data;
    const broadcast = B.shape[1] !== c;
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const k = i * c + j;
        out[k] = h(x[k], broadcast ? y[i] : y[k], k);
      }
    }
    return tensor(r, c, out);
  };
  return {
    name,
    kind: "elementwise",
    operands: ["A", "B"],
    columnwise: true,
    shape: (inputs) => broadcastShape(name, inputs),
    forward: ([A, B]) => combine(A, B, f),
    scalar: f,
    backward: [
      ({ inputs: [A, B], grad }) => combine(A, B, (a, b, k) => grad.data[k] * da(a, b)),
      ({ inputs: [A, B], grad }) => {
        const full = combine(A, B, (a, b, k) => grad.data[k] * db(a, b));
        // A broadcast operand received the same value in every column, so its gradient sums them.
        return B.shape[1] === A.shape[1] ? full : sumColumns(full);
      },
    ],
    explain,
  };
}
