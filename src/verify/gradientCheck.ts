/**
 * The gradient check of the course, for any graph: each param entry θ is moved by small steps and the cost
 * re-evaluated in float64, the slope of those costs is the numerical gradient g̃, and each param gets the
 * relative difference ‖g − g̃‖ / (‖g‖ + ‖g̃‖) between the backward's gradient g and it. The course calls
 * < 1e-7 correct.
 *
 * The course takes one central difference at ε = 1e-7. On real costs that reference is not always good to
 * 1e-7, so this check measures how good it is, entry by entry, and says so:
 * - J is evaluated at nine points spread over θ ± h, and g̃ is the slope at θ of the cubic fitted to them by
 *   least squares (exact for cubics, error O(h⁴)), first with h = 1e-4.
 * - J is not computed exactly. Its precision is estimated before any step is taken, from the values and
 *   gradients of the nodes the param moves: rounding a value v by ε·|v| moves J by ε·|v|·|dJ/dv|, summed.
 *   That is large where the graph loses digits — bce of a saturated sigmoid (a = 1 − 2e-9) keeps ~8 digits
 *   of the loss, and J becomes a staircase — and it sets each entry's uncertainty σ of g̃ together with the
 *   residual of the fit (5 degrees of freedom), whichever is larger.
 * - Where J is smooth but carries few digits, the window is widened (to 1e-3, 1e-2) while the fit stays
 *   smooth, since the uncertainty falls as 1/h.
 * - A residual above the expected precision means J is not smooth within h: a kink (relu at 0), or noise
 *   beyond the estimate. The fit is repeated at h = 1e-5 and 1e-6; a kink near but not at θ falls out of the
 *   window and the entry is checked there. If the residual shrinks with h but never clears, the kink is at θ
 *   itself, where J has no derivative: the entry is reported in `nonSmooth` and not compared. If it does
 *   not shrink, it is noise, and the entry is compared at h = 1e-4 within its measured uncertainty.
 * - An entry agrees when |g − g̃| ≤ 30σ (`withinUncertainty`); the relative difference is reported as well.
 * - Large params: `coordinates` checks a seeded random subset of entries per param (all by default).
 *
 * Only the nodes downstream of the moved param are recomputed for each evaluation.
 *
 * @example
 * const check = gradientCheck(graph, values, { coordinates: 20 });
 * check.params.find((p) => p.param === "W1")!.relativeDifference // ~1e-11 for a correct backward
 */
import type { Graph, NodeDecl } from "../graph/graph.ts";
import { backward, forward, forwardNode, neededForGrads } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import { relativeDifference } from "./relativeDifference.ts";

/** Options of `gradientCheck`. */
export interface GradientCheckOptions {
  /** Half-width of the first window of steps (default 1e-4; up to 100·h where J is smooth but imprecise, down to h/100 where it is not smooth). */
  h?: number;
  /** At most this many entries of each param are checked, chosen at random with `seed` (default: all). */
  coordinates?: number;
  seed?: number;
  /** Params to check (default: every param). */
  params?: readonly string[];
  /** The gradients to check (default: the graph's backward at these values). */
  analytic?: ReadonlyMap<string, Tensor>;
}

/** The check of one param: g and g̃ at the compared entries, and how far g̃ can be trusted. */
export interface ParamGradientCheck {
  param: string;
  /** ‖g − g̃‖ / (‖g‖ + ‖g̃‖) over the compared entries (0 when both are zero). */
  relativeDifference: number;
  /** Flat (row-major) indices of the compared entries, g and g̃ there, and the uncertainty σ of each g̃. */
  indices: number[];
  analytic: Float64Array;
  numeric: Float64Array;
  uncertainty: Float64Array;
  /** Every compared entry has |g − g̃| ≤ 30σ: g agrees with g̃ as far as g̃ can be known. */
  withinUncertainty: boolean;
  /** Entries not compared: J has a kink at θ there (a relu whose input is exactly 0), so no derivative. */
  nonSmooth: number[];
  /** Compared entries where J is noisy beyond its estimated precision; compared within that noise. */
  noisy: number[];
}

/** The result of `gradientCheck`: one entry per param. */
export interface GradientCheck {
  loss: number;
  /** The estimated precision of the computed J (absolute), ε·Σ |v|·|dJ/dv| over the values v a param moves; the largest over params. */
  costPrecision: number;
  params: ParamGradientCheck[];
}

const EPS = 2 ** -52;
/** An entry agrees within this many σ (rounding noise beyond 30σ has probability < 1e-6 with 5 degrees of freedom). */
export const UNCERTAINTY_MULTIPLE = 30;

// Where J is evaluated, in units of h. Irregular on purpose: J computed with cancellation is a staircase
// of equal steps, and on evenly spaced points its steps can alias into a wrong slope with no residual.
// These were drawn at random and kept for the smallest worst case over 200,000 staircases (error ≤ 17σ).
const OFFSETS = [-0.91656645, -0.72415475, -0.49717647, -0.25062531, 0, 0.15235881, 0.43848043, 0.78840642, 0.94012134];
/** Least-squares cubic through (OFFSETS, J): rows of (AᵀA)⁻¹Aᵀ, so coefficients are dot products with J. */
const FIT = pseudoInverse(OFFSETS.map((s) => [1, s, s * s, s * s * s]));
const SLOPE_NOISE = Math.hypot(...FIT[1]); // σ of the fitted slope per unit of J's noise, in units of 1/h

export function gradientCheck(graph: Graph, values: ReadonlyMap<string, Tensor>, opts: GradientCheckOptions = {}): GradientCheck {
  const h0 = opts.h ?? 1e-4;
  const params = opts.params ?? graph.params.map((p) => p.id);
  const base = forward(graph, values);
  const all = backward(graph, base);
  const analytic = opts.analytic ?? all;
  const J0 = base.get(graph.loss)!.data[0];
  const floor = EPS * Math.max(1, Math.abs(J0));
  const rng = createRng(opts.seed ?? 1);
  let worstPrecision = floor;

  const results = params.map((id): ParamGradientCheck => {
    const original = values.get(id)!;
    const size = original.data.length;
    const downstream = neededForGrads(graph, [id]);
    const affected = graph.nodes.filter((n) => downstream.has(n.id));
    // Only the values that move with this param can round differently from one evaluation to the next.
    const precision = Math.max(floor, costPrecision(affected, base, all));
    worstPrecision = Math.max(worstPrecision, precision);
    const moved = tensor(original.shape[0], original.shape[1], original.data.slice());
    const costAt = (k: number, delta: number): number => {
      if (delta === 0) return J0;
      moved.data[k] = original.data[k] + delta;
      const vals = new Map(base);
      vals.set(id, moved);
      for (const node of affected) vals.set(node.id, forwardNode(graph, node, vals));
      moved.data[k] = original.data[k];
      return vals.get(graph.loss)!.data[0];
    };
    /** Slope at θ and residual noise of the cubic fitted over θ ± h. */
    const fitAt = (k: number, h: number) => {
      const J = OFFSETS.map((s) => costAt(k, s * h));
      const c = FIT.map((row) => row.reduce((acc, w, n) => acc + w * J[n], 0));
      let rss = 0;
      OFFSETS.forEach((s, n) => (rss += (J[n] - (c[0] + s * (c[1] + s * (c[2] + s * c[3])))) ** 2));
      return { slope: c[1] / h, residual: Math.sqrt(rss / (OFFSETS.length - 4)), h };
    };

    const g = analytic.get(id)?.data ?? new Float64Array(size);
    const indices: number[] = [], numeric: number[] = [], uncertainty: number[] = [], nonSmooth: number[] = [], noisy: number[] = [];
    for (const k of pickIndices(size, opts.coordinates ?? size, rng)) {
      // A residual within 3× the expected precision is smooth; larger, try smaller windows.
      const fits = [fitAt(k, h0)];
      const clean = (f: { residual: number }) => f.residual <= 3 * precision;
      const sigma = (f: { residual: number; h: number }) => (SLOPE_NOISE * Math.max(f.residual, precision)) / f.h;
      let use = fits[0];
      if (clean(use)) {
        // Smooth, but J may carry few digits: widen the window while it stays smooth and the slope is not yet
        // known to 1e-7, since the uncertainty falls as 1/h.
        while (UNCERTAINTY_MULTIPLE * sigma(use) > 1e-7 * Math.abs(use.slope) && use.h < 100 * h0) {
          const wider = fitAt(k, use.h * 10);
          if (!clean(wider)) break;
          use = wider;
        }
      } else {
        while (!clean(fits[fits.length - 1]) && fits.length < 3) fits.push(fitAt(k, fits[fits.length - 1].h / 10));
        use = fits[fits.length - 1];
        if (!clean(use)) {
          // Never smooth: a kink at θ leaves a residual ∝ h (∝ h² if only J'' jumps); noise does not shrink.
          if (use.residual < fits[0].residual / 30) {
            nonSmooth.push(k);
            continue;
          }
          use = fits[0];
          noisy.push(k);
        }
      }
      indices.push(k);
      numeric.push(use.slope);
      uncertainty.push(sigma(use));
    }
    const an = Float64Array.from(indices, (k) => g[k]);
    const num = Float64Array.from(numeric), unc = Float64Array.from(uncertainty);
    const withinUncertainty = indices.every((_, i) => Math.abs(an[i] - num[i]) <= UNCERTAINTY_MULTIPLE * unc[i]);
    return { param: id, relativeDifference: relativeDifference(an, num), indices, analytic: an, numeric: num, uncertainty: unc, withinUncertainty, nonSmooth, noisy };
  });
  return { loss: J0, costPrecision: worstPrecision, params: results };
}

/**
 * A first-order estimate of the rounding error of the computed cost: every value v the nodes compute is
 * rounded by up to ε·|v| (an ulp or two for the elementwise ops), and that moves J by |dJ/dv| times as much.
 */
function costPrecision(nodes: readonly NodeDecl[], values: ReadonlyMap<string, Tensor>, grads: ReadonlyMap<string, Tensor>): number {
  let sum = 0;
  for (const node of nodes) {
    const v = values.get(node.id)!.data, g = grads.get(node.id)?.data;
    if (!g) continue;
    for (let i = 0; i < v.length; i++) sum += Math.abs(v[i] * g[i]);
  }
  return EPS * sum;
}

/** `count` distinct indices of 0…size−1 in random order (all of them, in order, when count ≥ size). */
function pickIndices(size: number, count: number, rng: ReturnType<typeof createRng>): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (count >= size) return all;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/** (AᵀA)⁻¹Aᵀ for a tall matrix A of full column rank, by Gauss–Jordan on the small normal matrix. */
function pseudoInverse(A: number[][]): number[][] {
  const n = A[0].length;
  const M = Array.from({ length: n }, (_, r) => [...Array.from({ length: n }, (_, c) => A.reduce((s, row) => s + row[r] * row[c], 0)), ...Array.from({ length: n }, (_, c) => (c === r ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    const pivot = M.reduce((best, row, r) => (r >= col && Math.abs(row[col]) > Math.abs(M[best][col]) ? r : best), col);
    [M[col], M[pivot]] = [M[pivot], M[col]];
    const p = M[col][col];
    M[col] = M[col].map((v) => v / p);
    for (let r = 0; r < n; r++) if (r !== col) M[r] = M[r].map((v, c) => v - M[r][col] * M[col][c]);
  }
  const inverse = M.map((row) => row.slice(n));
  return inverse.map((row) => A.map((a) => a.reduce((s, v, c) => s + row[c] * v, 0)));
}
