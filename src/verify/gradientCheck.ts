/**
 * The gradient check of the course, for any graph: each param entry θ is moved by ±h and the cost
 * re-evaluated in float64, central differences give the numerical gradient g̃, and each param gets the
 * relative difference ‖g − g̃‖ / (‖g‖ + ‖g̃‖) between the backward's gradient g and it. The course calls
 * < 1e-7 correct.
 *
 * Where this departs from the course's single central difference at ε = 1e-7, it is to keep the reference
 * honest on real costs:
 * - Step and extrapolation: the central differences at h and h/2 (h = 1e-4) are combined by Richardson
 *   extrapolation, (4·D(h/2) − D(h))/3, whose error is O(h⁴) instead of O(h²). The larger step matters
 *   because J is not computed to full precision: bce of a saturated sigmoid (a ≈ 1 − 1e-6) keeps only ~10
 *   significant digits of J, and a difference quotient divides that noise by the step.
 * - Noise, measured: per param, J is evaluated at a few points 1e-9 apart (around up to three entries),
 *   where its curvature is far below rounding; their second differences are pure rounding noise δ.
 * - Kinks (relu at 0, a clamp): where J is not smooth within h of θ a difference quotient is not a
 *   derivative. The cost is also evaluated at ±h/4; on a smooth J the one-sided asymmetry
 *   (J(θ+t) − 2J(θ) + J(θ−t))/t halves with t and the central differences converge as t², so an entry where
 *   either fails is reported in `nonSmooth` and left out, rather than blamed on the backward. (A relu whose
 *   input is exactly 0 is common: with zero biases, a sample whose previous layer is all dead.)
 * - Large params: `coordinates` checks a seeded random subset of entries per param (all by default).
 *
 * Only the nodes downstream of the moved param are recomputed for each evaluation.
 *
 * @example
 * const check = gradientCheck(graph, values, { coordinates: 20 });
 * check.params.find((p) => p.param === "W1")!.relativeDifference // ~1e-11 for a correct backward
 */
import type { Graph } from "../graph/graph.ts";
import { backward, forward, forwardNode, neededForGrads } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import { relativeDifference } from "./relativeDifference.ts";

export interface GradientCheckOptions {
  /** Step of the central differences (default 1e-4; h/2 is used too). */
  h?: number;
  /** At most this many entries of each param are checked, chosen at random with `seed` (default: all). */
  coordinates?: number;
  seed?: number;
  /** Params to check (default: every param). */
  params?: readonly string[];
  /** The gradients to check (default: the graph's backward at these values). */
  analytic?: ReadonlyMap<string, Tensor>;
}

export interface ParamGradientCheck {
  param: string;
  /** ‖g − g̃‖ / (‖g‖ + ‖g̃‖) over the checked, smooth entries (0 when both are zero). */
  relativeDifference: number;
  /** ‖g − g̃‖ over the same entries. */
  absoluteDifference: number;
  /** The rounding noise of J near θ, measured (never below ε·max(|J|, 1)). */
  noise: number;
  /**
   * The smallest ‖g − g̃‖ the numerical gradient resolves: 150·δ/h per entry (times √entries), which bounds
   * both the rounding noise of g̃ (~2·δ/h) and the error of a kink too slight for the tests above to see
   * (their thresholds are 100·δ/h and 200·δ/h, and such a kink moves g̃ by at most 2/3 of what it shows).
   * Below it a difference cannot be told from zero — it matters where a gradient is itself ~0.
   */
  resolution: number;
  /** Flat (row-major) indices of the checked entries, and g and g̃ there. */
  indices: number[];
  analytic: Float64Array;
  numeric: Float64Array;
  /** Indices left out because J has a kink within h of θ there. */
  nonSmooth: number[];
}

export interface GradientCheck {
  loss: number;
  h: number;
  params: ParamGradientCheck[];
}

const EPS = 2 ** -52;
/** See `resolution`: per entry, in units of δ/h. */
const RESOLUTION = 150;

export function gradientCheck(graph: Graph, values: ReadonlyMap<string, Tensor>, opts: GradientCheckOptions = {}): GradientCheck {
  const h = opts.h ?? 1e-4;
  const params = opts.params ?? graph.params.map((p) => p.id);
  const base = forward(graph, values);
  const analytic = opts.analytic ?? backward(graph, base, params);
  const J0 = base.get(graph.loss)!.data[0];
  const rng = createRng(opts.seed ?? 1);

  const results = params.map((id): ParamGradientCheck => {
    const original = values.get(id)!;
    const size = original.data.length;
    const downstream = neededForGrads(graph, [id]);
    const affected = graph.nodes.filter((n) => downstream.has(n.id));
    const moved = tensor(original.shape[0], original.shape[1], original.data.slice());
    const costAt = (k: number, delta: number): number => {
      moved.data[k] = original.data[k] + delta;
      const vals = new Map(base);
      vals.set(id, moved);
      for (const node of affected) vals.set(node.id, forwardNode(graph, node, vals));
      moved.data[k] = original.data[k];
      return vals.get(graph.loss)!.data[0];
    };
    const indices = pickIndices(size, opts.coordinates ?? size, rng);
    // Noise probed at up to three entries; the median, so that one entry next to a kink cannot inflate it.
    const probes = indices.slice(0, 3).map((k) => noiseOfCost(costAt, k, original.data[k], J0)).sort((x, y) => x - y);
    const noise = probes.length === 2 ? (probes[0] + probes[1]) / 2 : probes[Math.floor(probes.length / 2)];
    const g = analytic.get(id)?.data ?? new Float64Array(size);
    const kept: number[] = [], nonSmooth: number[] = [], an: number[] = [], nu: number[] = [];
    for (const k of indices) {
      const [Jp, Jm, Jp2, Jm2, Jp4, Jm4] = [h, -h, h / 2, -h / 2, h / 4, -h / 4].map((t) => costAt(k, t));
      const D1 = (Jp - Jm) / (2 * h), D2 = (Jp2 - Jm2) / h, D4 = (Jp4 - Jm4) / (h / 2);
      const estimate = (4 * D2 - D1) / 3;
      // Two signs of a kink, each invisible to the other. (1) On a smooth J, a(t) = (J(θ+t) − 2J(θ) + J(θ−t))/t
      // = t·J'' + O(t³), so a(h) = 2·a(h/2); a jump in slope at θ makes a(t) constant instead.
      // (2) On a smooth J the error of D(t) is c·t² + O(t⁴), so D(h) − D(h/2) = 4·(D(h/2) − D(h/4)); a kink
      // within h of θ, or a jump in J'' at θ (where two samples' kinks cancel in J'), breaks that.
      const asymmetry = (Jp - 2 * J0 + Jm) / h - (2 * (Jp2 - 2 * J0 + Jm2)) / (h / 2);
      const inconsistency = D1 - D2 - 4 * (D2 - D4);
      const kink = Math.abs(asymmetry) > (100 * noise) / h + 1e-6 * Math.abs(estimate) || Math.abs(inconsistency) > (200 * noise) / h + 1e-8 * Math.abs(estimate);
      if (kink) {
        nonSmooth.push(k);
        continue;
      }
      kept.push(k);
      an.push(g[k]);
      nu.push(estimate);
    }
    const a = Float64Array.from(an), n = Float64Array.from(nu);
    let abs = 0;
    for (let i = 0; i < a.length; i++) abs += (a[i] - n[i]) ** 2;
    return {
      param: id,
      relativeDifference: relativeDifference(a, n),
      absoluteDifference: Math.sqrt(abs),
      noise,
      resolution: ((RESOLUTION * noise) / h) * Math.sqrt(Math.max(1, a.length)),
      indices: kept,
      analytic: a,
      numeric: n,
      nonSmooth,
    };
  });
  return { loss: J0, h, params: results };
}

/**
 * The rounding noise of J near θ: second differences of J at steps of 1e-9 (where J'' contributes ~1e-18)
 * are rounding alone; each is ~√6 times the noise of one evaluation. The largest of three is kept, and
 * never less than ε·max(|J|, 1).
 */
function noiseOfCost(costAt: (k: number, delta: number) => number, k: number, theta: number, J0: number): number {
  const eta = 1e-9 * Math.max(1, Math.abs(theta));
  const J = [costAt(k, -2 * eta), costAt(k, -eta), J0, costAt(k, eta), costAt(k, 2 * eta)];
  let worst = 0;
  for (let i = 1; i < 4; i++) worst = Math.max(worst, Math.abs(J[i - 1] - 2 * J[i] + J[i + 1]) / Math.sqrt(6));
  return Math.max(worst, EPS * Math.max(1, Math.abs(J0)));
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
