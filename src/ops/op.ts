/**
 * What an op is: its shape rule, its forward value and its backward (one vector-Jacobian product per
 * operand), written side by side so the derivative is read next to the function it differentiates.
 *
 * @example
 * const relu: OpDef = {
 *   name: "relu", kind: "activation", operands: ["Z"],
 *   shape: ([z]) => z,
 *   forward: ([z], _attrs, out) => { const y = output(out, ...z.shape); ...; return y; },
 *   backward: [({ inputs: [z], grad }, out) => { const dz = output(out, ...z.shape); ...; return dz; }],
 *   explain: { forward: "{out} = max(0, {0})", backward: ["{g} ⊙ 1[{0} > 0]"] },
 * };
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { z } from "zod";

/** A dimension: a size, or a symbol such as the batch size `m`. */
export type Dim = number | string;
export type Shape = readonly [Dim, Dim];

export type Attrs = Readonly<Record<string, unknown>>;

export interface BackwardContext {
  /** The operands' values, in operand order. */
  readonly inputs: readonly Tensor[];
  /** The op's forward value. */
  readonly output: Tensor;
  /** dJ/d(output). */
  readonly grad: Tensor;
  readonly attrs: Attrs;
}

/** What a loss's target operand holds: labels 0/1, one-hot columns, or real values. */
export type TargetKind = "binary" | "onehot" | "real";

/** How the view colours a node, and how `explain` describes it. */
export type OpKind = "linear" | "elementwise" | "activation" | "loss" | "reduction";

export interface OpDef {
  readonly name: string;
  readonly kind: OpKind;
  /** Operand names, used in messages ("bce: operand Y ..."); their count is the op's arity. */
  readonly operands: readonly string[];
  /** Losses: what the target (second operand) holds, so random data and datasets can be shaped for it. */
  readonly target?: TargetKind;
  /**
   * Weighted reductions (`weighted_mean`): the operand slot holding one weight ≥ 0 per sample (a 0/1 mask
   * of valid items, or per-sample item counts). The cost is then a mean over the items, not the samples:
   * random data draws such weights for it, and the per-sample checks weigh sample i by its weight.
   */
  readonly weightsOperand?: number;
  /** Attributes the op accepts (validated when the graph is read); absent means none. */
  readonly attrs?: z.ZodType<Attrs>;
  /** The output shape, or a message saying why the operand shapes do not fit. */
  shape(inputs: readonly Shape[], attrs: Attrs): Shape | string;
  /**
   * The value. `out`, when given, is a tensor the caller lets the op write its result into (never one of the
   * operands; its contents are garbage to be overwritten, never read): an op that can, returns it, filled,
   * when it has the output's shape (`output(out, rows, cols)`). An op may also ignore it and return a new
   * tensor. Either way the numbers must be the same, bit for bit.
   */
  forward(inputs: readonly Tensor[], attrs: Attrs, out?: Tensor): Tensor;
  /** dJ/d(operand i) given dJ/d(output), one function per operand; `out` as for `forward`. */
  readonly backward: readonly ((ctx: BackwardContext, out?: Tensor) => Tensor)[];
  /**
   * For elementwise ops: the op on single numbers (the second argument unused by unary ops), equal bit for
   * bit to `forward` on [1,1] operands. The reactive runtime computes graphs of scalar nodes with it,
   * skipping the tensor loop. Absent for every other op (and an op made by overriding another's `forward`
   * must override or drop this too).
   */
  readonly scalar?: (a: number, b: number, attrs: Attrs) => number;
  /**
   * Equations for `gradstream explain`. In the templates `{out}` is this node, `{0}`, `{1}`, ... its
   * operands, and `{g}` the gradient of this node. `mPower[i]` is the power of m the backward of
   * operand i carries itself (−1 for the 1/m of `mean`, 0 otherwise); for a weighted reduction it is the
   * power of Σw, its weights' sum, which takes the place of m.
   */
  readonly explain: { readonly forward: string; readonly backward: readonly string[]; readonly mPower?: readonly number[] };
  /**
   * False when a column of the output depends on other columns of the input (the op couples samples,
   * as a reduction over the batch does). Per-sample gradients only exist for graphs whose ops up to the
   * loss's reduction are all column-wise.
   */
  readonly columnwise: boolean;
}

/**
 * A dimension that is not known because of a mistake upstream (an undefined operand, an unknown op). Only
 * validation uses it, to go on inferring what it can past a mistake; it matches any dimension, and no
 * graph that passed validation holds it.
 */
export const UNKNOWN_DIM = "?";

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b || a === UNKNOWN_DIM || b === UNKNOWN_DIM;
}

/** Of two dimensions `sameDim` matched, the one that says more (not UNKNOWN_DIM, when one is known). */
export function knownDim(a: Dim, b: Dim): Dim {
  return a === UNKNOWN_DIM ? b : a;
}

export function showShape(s: Shape): string {
  return `[${s[0]},${s[1]}]`;
}
