/**
 * The one contract every op must keep, checked by one helper (fast-check's `ArbitraryAssertions.ts` idea):
 *
 * (a) its shape rule agrees with the shape its forward actually returns (on the concrete shapes and, when
 *     given, on the symbolic ones with m substituted), and each backward returns its operand's shape;
 * (b) each operand's backward (a vector-Jacobian product with a random upstream gradient G) equals the
 *     central finite difference of f(x) = Σ G ⊙ forward(x), in float64: ‖g − g̃‖/(‖g‖ + ‖g̃‖) < 1e-7;
 * (c) it is deterministic (same inputs → bitwise the same outputs) and leaves its operands untouched;
 * (d) handed an output buffer full of garbage (the reactive runtime hands ops the buffers it reuses), its
 *     forward and each backward give the same bits as without one: they overwrite, never read, `out`.
 *
 * The caller chooses operand values away from kinks (relu at 0) and clamps (bce near 0 and 1): a finite
 * difference straddling a kink measures neither side's derivative.
 *
 * @example
 * const report = checkOp(getOp("tanh")!, [Z], { seed: 3 });
 * expect(report.failures).toEqual([]);
 * // or, throwing a readable error (what fast-check wants from a property):
 * assertOpContract(getOp("tanh")!, [Z]);
 */
import type { Attrs, OpDef, Shape } from "../../src/ops/op.ts";
import { type Tensor, tensor } from "../../src/tensor/tensor.ts";
import { createRng } from "../../src/data/random.ts";

/** The bound on the relative difference between backward and finite differences. */
export const FD_TOLERANCE = 1e-7;

/**
 * Step of the central difference, relative to max(1, |x|). Truncation error grows like h², rounding
 * error like ε/h; they balance near ε^(1/3) ≈ 6e-6 for float64. Measured over every op, 300 random
 * cases each (sizes 1..6): worst relative difference 2.4e-9 at 6e-6, against 8.8e-9 at 1e-6 and 6.6e-9
 * at 1e-5, so the bound 1e-7 holds with a margin of 40.
 */
export const FD_STEP = 6e-6;

export interface OpCheckOptions {
  attrs?: Attrs;
  /** The operands' shapes with the batch size as the symbol m; checks the symbolic shape rule too. */
  symbolicShapes?: readonly Shape[];
  /** The value of m in the concrete operands (needed with `symbolicShapes`). */
  m?: number;
  /** Seed of the random upstream gradient G. */
  seed?: number;
  tolerance?: number;
  step?: number;
}

export interface OpCheckReport {
  op: string;
  /** ‖g − g̃‖/(‖g‖+‖g̃‖) for each operand, in operand order (NaN if the backward could not be compared). */
  relativeDifferences: number[];
  /** Every broken rule, as a sentence naming the op and operand; empty when the op keeps its contract. */
  failures: string[];
}

export function checkOp(op: OpDef, operands: readonly Tensor[], options: OpCheckOptions = {}): OpCheckReport {
  const attrs = options.attrs ?? {};
  const tolerance = options.tolerance ?? FD_TOLERANCE;
  const step = options.step ?? FD_STEP;
  const failures: string[] = [];
  const report: OpCheckReport = { op: op.name, relativeDifferences: [], failures };
  const fail = (message: string) => failures.push(`${op.name}: ${message}`);

  if (operands.length !== op.operands.length) fail(`given ${operands.length} operands, the op declares ${op.operands.length}`);
  if (op.backward.length !== op.operands.length) fail(`${op.backward.length} backward functions for ${op.operands.length} operands`);
  if (failures.length) return report;

  const originals = operands.map(copyOf);
  const output = op.forward(operands, attrs);

  // (a) shape rule against the forward's actual shape
  const concrete = op.shape(operands.map((t) => t.shape), attrs);
  if (typeof concrete === "string") fail(`shape rule refuses the operands it was given: ${concrete}`);
  else if (!sameShape(concrete, output.shape)) fail(`shape rule says ${show(concrete)}, forward returned ${show(output.shape)}`);
  if (options.symbolicShapes) {
    const symbolic = op.shape(options.symbolicShapes, attrs);
    const m = options.m ?? 1;
    if (typeof symbolic === "string") fail(`shape rule refuses symbolic operands ${options.symbolicShapes.map(show).join(", ")}: ${symbolic}`);
    else if (!sameShape(symbolic.map((d) => (d === "m" ? m : d)), output.shape)) fail(`symbolic shape rule says ${show(symbolic)} (m = ${m}), forward returned ${show(output.shape)}`);
  }
  if (output.data.length !== output.shape[0] * output.shape[1]) fail(`forward returned ${output.data.length} numbers for shape ${show(output.shape)}`);

  const rng = createRng(options.seed ?? 1);
  const G = tensor(output.shape[0], output.shape[1], Float64Array.from({ length: output.data.length }, () => rng.normal()));
  const Gcopy = copyOf(G);
  const ctx = { inputs: operands, output, grad: G, attrs };

  // (b) each operand's backward against central finite differences
  op.operands.forEach((name, slot) => {
    const g = op.backward[slot](ctx);
    if (!sameShape(g.shape, operands[slot].shape)) {
      fail(`backward of operand ${name} has shape ${show(g.shape)}, the operand is ${show(operands[slot].shape)}`);
      report.relativeDifferences.push(NaN);
      return;
    }
    const fd = finiteDifferenceVjp(op, operands, slot, G, attrs, step);
    const rel = relativeDifference(g.data, fd);
    report.relativeDifferences.push(rel);
    if (!(rel < tolerance)) {
      fail(`backward of operand ${name} differs from finite differences: relative difference ${rel.toExponential(3)} ≥ ${tolerance} (backward ${preview(g.data)}, finite differences ${preview(fd)})`);
    }
  });

  // (c) determinism, and operands left as they were
  const again = op.forward(operands, attrs);
  if (!bitwiseEqual(output.data, again.data)) fail("forward is not deterministic: two calls on the same operands differ");
  op.operands.forEach((name, slot) => {
    const first = op.backward[slot](ctx).data;
    const second = op.backward[slot](ctx).data;
    if (!bitwiseEqual(first, second)) fail(`backward of operand ${name} is not deterministic`);
  });
  operands.forEach((t, slot) => {
    if (!bitwiseEqual(t.data, originals[slot].data)) fail(`forward or backward modified operand ${op.operands[slot]}`);
  });
  if (!bitwiseEqual(G.data, Gcopy.data)) fail("backward modified the upstream gradient");

  // (d) into a buffer of garbage: the same bits
  const garbage = (like: Tensor) => tensor(like.shape[0], like.shape[1], new Float64Array(like.data.length).fill(NaN).map((v, i) => (i % 3 === 1 ? 1e300 : i % 3 === 2 ? -7 : v)));
  const into = op.forward(operands, attrs, garbage(output));
  if (!bitwiseEqual(output.data, into.data)) fail("forward into a reused output buffer differs from forward into a fresh one (it reads the buffer)");
  op.operands.forEach((name, slot) => {
    const fresh = op.backward[slot](ctx).data;
    const reused = op.backward[slot](ctx, garbage(operands[slot])).data;
    if (!bitwiseEqual(fresh, reused)) fail(`backward of operand ${name} into a reused output buffer differs from a fresh one (it reads the buffer)`);
  });
  return report;
}

/** `checkOp`, throwing an Error that lists every failure (for fast-check properties and plain tests). */
export function assertOpContract(op: OpDef, operands: readonly Tensor[], options: OpCheckOptions = {}): OpCheckReport {
  const report = checkOp(op, operands, options);
  if (report.failures.length) throw new Error(report.failures.join("\n"));
  return report;
}

/**
 * g̃ᵢ = ∂/∂xᵢ Σ G ⊙ forward(x) for every entry xᵢ of operand `slot`, by central differences. The step
 * actually taken is (x + h) − (x − h) as represented in float64, so rounding of x ± h costs nothing.
 */
export function finiteDifferenceVjp(op: OpDef, operands: readonly Tensor[], slot: number, G: Tensor, attrs: Attrs, step = FD_STEP): Float64Array {
  const perturbed = operands.slice();
  const x = copyOf(operands[slot]);
  perturbed[slot] = x;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    const h = step * Math.max(1, Math.abs(v));
    const up = v + h;
    const down = v - h;
    x.data[i] = up;
    const yUp = op.forward(perturbed, attrs).data;
    x.data[i] = down;
    const yDown = op.forward(perturbed, attrs).data;
    x.data[i] = v;
    out[i] = directionalDifference(G.data, yUp, yDown) / (up - down);
  }
  return out;
}

/** Σ G ⊙ (y₊ − y₋), differencing first: outputs the perturbation did not touch contribute exactly 0. */
function directionalDifference(G: Float64Array, yUp: Float64Array, yDown: Float64Array): number {
  let s = 0;
  for (let j = 0; j < G.length; j++) s += G[j] * (yUp[j] - yDown[j]);
  return s;
}

/** ‖a − b‖/(‖a‖ + ‖b‖), and 0 when both are exactly zero. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  const denominator = Math.sqrt(na) + Math.sqrt(nb);
  return denominator === 0 ? 0 : Math.sqrt(diff) / denominator;
}

/** Same length and every entry the same float64 (Object.is: −0 ≠ 0, NaN = NaN). */
export function bitwiseEqual(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function copyOf(t: Tensor): Tensor {
  return tensor(t.shape[0], t.shape[1], t.data.slice());
}

function sameShape(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === 2 && b.length === 2 && a[0] === b[0] && a[1] === b[1];
}

function show(s: readonly unknown[]): string {
  return `[${s.join(",")}]`;
}

function preview(x: ArrayLike<number>): string {
  const shown = Array.from(x).slice(0, 4).map((v) => v.toPrecision(6));
  return `[${shown.join(", ")}${x.length > 4 ? ", …" : ""}]`;
}
