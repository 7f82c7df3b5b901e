/**
 * The gradient check of the course, for any graph: each param entry θ is moved by ±h and the cost
 * re-evaluated in float64, the central difference (J(θ+h) − J(θ−h)) / 2h is the numerical gradient, and each
 * param gets the relative difference ‖g − g̃‖ / (‖g‖ + ‖g̃‖) between the backward's gradient g and it. The
 * course calls < 1e-7 correct; with h = 1e-6 float64 rounding alone leaves about 1e-10·|J|/‖g‖.
 *
 * Two guards keep the reference honest:
 * - Kinks (relu at 0, a clamp): where J is not smooth within h of θ, a difference quotient is not a
 *   derivative. The cost is also evaluated at ±h/2; on a smooth J the central differences at h and h/2
 *   agree and the one-sided asymmetry halves with h, so an entry where either fails is reported in
 *   `nonSmooth` and left out of the comparison rather than blamed on the backward.
 * - Large params: `coordinates` checks a seeded random subset of entries per param (all by default).
 *
 * Only the nodes downstream of the moved param are recomputed for each evaluation.
 *
 * @example
 * const check = gradientCheck(graph, values, { coordinates: 20 });
 * check.params.find((p) => p.param === "W1")!.relativeDifference // ~1e-10 for a correct backward
 */
import type { Graph } from "../graph/graph.ts";
import { backward, forward, forwardNode, neededForGrads } from "../graph/evaluate.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import { relativeDifference } from "./relativeDifference.ts";

export interface GradientCheckOptions {
  /** Step of the central difference (default 1e-6). */
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
  /** The size of ‖g − g̃‖ that float64 rounding of J alone can cause: below it the numbers cannot tell. */
  roundingLevel: number;
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

export function gradientCheck(graph: Graph, values: ReadonlyMap<string, Tensor>, opts: GradientCheckOptions = {}): GradientCheck {
  const h = opts.h ?? 1e-6;
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
    const g = analytic.get(id)?.data ?? new Float64Array(size);
    const kept: number[] = [], nonSmooth: number[] = [], an: number[] = [], nu: number[] = [];
    let worstJ = Math.abs(J0);
    for (const k of indices) {
      const [Jp, Jm, Jp2, Jm2] = [costAt(k, h), costAt(k, -h), costAt(k, h / 2), costAt(k, -h / 2)];
      const D1 = (Jp - Jm) / (2 * h);
      const D2 = (Jp2 - Jm2) / h;
      const a1 = (Jp - 2 * J0 + Jm) / h;
      const a2 = (Jp2 - 2 * J0 + Jm2) / (h / 2);
      const scaleJ = Math.max(Math.abs(J0), Math.abs(Jp), Math.abs(Jm));
      worstJ = Math.max(worstJ, scaleJ);
      // 200× the rounding of J seen through a difference quotient, plus a margin for O(h²) truncation.
      const tol = (200 * EPS * scaleJ) / h + 1e-6 * Math.abs(D1);
      if (Math.abs(D1 - D2) > tol || Math.abs(a1 - 2 * a2) > tol) {
        nonSmooth.push(k);
        continue;
      }
      kept.push(k);
      an.push(g[k]);
      nu.push(D1);
    }
    const a = Float64Array.from(an), n = Float64Array.from(nu);
    let abs = 0;
    for (let i = 0; i < a.length; i++) abs += (a[i] - n[i]) ** 2;
    return {
      param: id,
      relativeDifference: relativeDifference(a, n),
      absoluteDifference: Math.sqrt(abs),
      roundingLevel: ((EPS * worstJ) / h) * Math.sqrt(Math.max(1, a.length)),
      indices: kept,
      analytic: a,
      numeric: n,
      nonSmooth,
    };
  });
  return { loss: J0, h, params: results };
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
