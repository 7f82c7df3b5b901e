/**
 * One instance of the scaling check: on one batch, every way gradstream can see the 1/m of backprop,
 * compared per param, each failure read as a diagnosis.
 *
 * | comparison    | holds when                                                              | tolerance |
 * |---------------|-------------------------------------------------------------------------|-----------|
 * | `slicing`     | batch gradient = m^k × mean of per-sample gradients by slicing          | 1e-10     |
 * | `vectorised`  | batch gradient = m^k × mean of per-sample gradients, vectorised         | 1e-10     |
 * | `perSample`   | each vectorised ∇Lᵢ = ∇Lᵢ by slicing (the worst sample)                 | 1e-10     |
 * | `fd`          | batch gradient = finite differences of the cost (`gradientCheck`)       | 1e-6      |
 * | `permutation` | the gradient of the batch with its samples permuted is the same          | 1e-10     |
 * | `duplication` | the gradient of the batch twice over (m → 2m) is 2^k × the same          | 1e-10     |
 * | `sumCost`     | the gradient of the cost summed over samples is m × that of the mean     | 1e-12     |
 * | `split`       | the batch cut at random into parts: their gradients, combined by the rule | 1e-10     |
 * |               | that fits the cost (weighted by items; summed for a sum cost), = batch   |           |
 *
 * k is 0 for a mean cost and 1 for a sum cost (`sampleStructure`). For a `weighted_mean` cost the mean of
 * per-sample gradients is weighted: batch gradient = Σᵢ wᵢ·∇Lᵢ / Σᵢ wᵢ, Σw taking the place of m. Relative differences are the course's
 * ‖a − b‖ / (‖a‖ + ‖b‖). Some differences above tolerance are rounding, and pass marked `withinRounding`:
 * - below 1e-13 × the largest param gradient of the batch (a gradient that is zero in exact arithmetic,
 *   such as a bias followed by a batch centring, comes out as a 1e-17 residue no relative measure can judge);
 * - below what summing the 2m per-sample terms in another order can cause, ~2m·ε·Σᵢ‖gᵢ‖ (it matters when
 *   the terms nearly cancel);
 * - for finite differences, every entry within the uncertainty of the numerical gradient
 *   (`gradientCheck`'s `withinUncertainty`, 30σ, ~1e-10 for a cost computed to full precision): a gradient
 *   that is ~0, or a cost computed with few correct digits, cannot be checked to 1e-6 relative.
 * A comparison that cannot be made (vectorised per-sample gradients of a graph that couples samples,
 * permuting one sample) is listed in `notApplicable` with the reason; for a coupled graph the `slicing`
 * comparison fails and its diagnosis names the coupling node.
 *
 * @example
 * const report = checkScaling(graph, randomBindings(graph, 8, 1).values, { seed: 1 });
 * report.pass        // true for every shipped per-sample graph
 * report.failures[0] // { comparison: "slicing", param: "W1", diagnosis: "batch gradient = (1/m) × mean of per-sample gradients ...: 1/m applied twice" }
 */
import { assertFinite } from "../graph/assertFinite.ts";
import { GradstreamError } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { createRng } from "../data/random.ts";
import { type Tensor, norm, tensor } from "../tensor/tensor.ts";
import { scale } from "../tensor/kernels.ts";
import { gradientCheck } from "./gradientCheck.ts";
import { type PerSampleChunk } from "./perSampleChunk.ts";
import { perSampleGradsBySlicing } from "./perSampleBySlicing.ts";
import { perSampleGradsVectorised } from "./perSampleVectorised.ts";
import { relativeDifference } from "./relativeDifference.ts";
import { type SampleStructure, sampleStructure } from "./sampleStructure.ts";
import { diagnoseScale, type ScaleDiagnosis } from "./scaleDiagnosis.ts";
import { selectSamples } from "./selectSamples.ts";
import { withSumCost } from "./sumCost.ts";
import { sampleWeights } from "./sampleWeights.ts";
import { fittingRule } from "./combineRule.ts";
import { SPLIT_TOLERANCE, splitGradients } from "./splitGradients.ts";

/** The comparisons `checkScaling` makes (see the table above). */
export type ComparisonName = "slicing" | "vectorised" | "perSample" | "fd" | "permutation" | "duplication" | "sumCost" | "split";

/** Every comparison with its label (for tables) and its default tolerance on the relative difference. */
export const COMPARISONS: Readonly<Record<ComparisonName, { label: string; tolerance: number }>> = {
  slicing: { label: "batch = m^k·mean of per-sample (slicing)", tolerance: 1e-10 },
  vectorised: { label: "batch = m^k·mean of per-sample (vectorised)", tolerance: 1e-10 },
  perSample: { label: "per-sample: vectorised = slicing", tolerance: 1e-10 },
  fd: { label: "batch = finite differences", tolerance: 1e-6 },
  permutation: { label: "permuted samples: same gradient", tolerance: 1e-10 },
  duplication: { label: "batch twice (m → 2m): 2^k·same gradient", tolerance: 1e-10 },
  sumCost: { label: "sum cost = m × mean cost", tolerance: 1e-12 },
  split: { label: "split at random: parts combined by the weighted rule = batch", tolerance: SPLIT_TOLERANCE },
};

/** One comparison for one param on one batch. */
export interface Comparison {
  comparison: ComparisonName;
  param: string;
  relativeDifference: number;
  tolerance: number;
  pass: boolean;
  /** Passed only because the difference is below what rounding can cause (see the list above). */
  withinRounding: boolean;
  /** Observed ÷ expected, by least squares (1 when they agree). */
  ratio: number;
  /** Why it fails, in words; only on failures. */
  diagnosis?: string;
}

/** A comparison that could not be made on this graph or batch, and why. */
export interface NotApplicable {
  comparison: ComparisonName;
  reason: string;
}

/** Everything one instance of the check found. */
export interface ScalingReport {
  graph: string;
  m: number;
  loss: number;
  structure: SampleStructure;
  comparisons: Comparison[];
  notApplicable: NotApplicable[];
  /**
   * Per param: entries the gradient check compared, entries it could not (a kink at θ: no derivative), and
   * compared entries where the cost was noisier than its estimated precision.
   */
  fdEntries: Record<string, { compared: number; nonSmooth: number; noisy: number }>;
  /** Every failing comparison. */
  failures: { comparison: ComparisonName; param: string; relativeDifference: number; ratio: number; diagnosis: string }[];
  pass: boolean;
}

/** Options of `checkScaling`. */
export interface ScalingCheckOptions {
  /** Seed of the permutation and of the entries the gradient check samples (default 1). */
  seed?: number;
  /** Entries per param checked by finite differences (default: all); 0 skips the gradient check. */
  fdCoordinates?: number;
  /** Samples per chunk of per-sample gradients (default: as many as fit in 1 MiB). */
  chunkSize?: number;
  tolerances?: Partial<Record<ComparisonName, number>>;
  /** Run only these comparisons (default: all). */
  only?: readonly ComparisonName[];
}

const EPS = 2 ** -52;

export function checkScaling(graph: Graph, values: ReadonlyMap<string, Tensor>, opts: ScalingCheckOptions = {}): ScalingReport {
  const structure = sampleStructure(graph);
  const { m } = bindShapes(graph, values);
  const params = graph.params.map((p) => p.id);
  const k = structure.scalePower;
  const coupling = structure.coupling[0];
  const couplingText = coupling && `node '${coupling.node}' (${coupling.op}) couples samples: ${coupling.reason}`;
  const tolerance = (name: ComparisonName) => opts.tolerances?.[name] ?? COMPARISONS[name].tolerance;
  const wanted = (name: ComparisonName) => !opts.only || opts.only.includes(name);
  const comparisons: Comparison[] = [];
  const notApplicable: NotApplicable[] = [];
  const skip = (name: ComparisonName, reason: string) => void (wanted(name) && notApplicable.push({ comparison: name, reason }));
  const skipped = (name: ComparisonName) => !wanted(name) || notApplicable.some((n) => n.comparison === name);

  const computed = forward(graph, values);
  const loss = computed.get(graph.loss)!.data[0];
  // Sample i weighs wᵢ in a weighted_mean cost (1 otherwise); N = Σw, or m, is what the cost divides by.
  const weights = sampleWeights(graph, values);
  const weightOf = (i: number) => (weights ? weights[i] : 1);
  const N = weights ? weights.reduce((a, b) => a + b, 0) : m;
  const batch = backward(graph, computed, params);
  // A value that overflowed has no relative difference to compare (NaN is neither within a tolerance nor
  // outside it): name where it went non-finite, as run and grad do.
  assertFinite(graph, computed, "value");
  assertFinite(graph, batch, "gradient");
  const gradOf = (id: string, grads: ReadonlyMap<string, Tensor>) => grads.get(id) ?? zerosLike(values.get(id)!);

  // What rounding alone can do to a batch gradient, per param: summing up to 2m per-sample terms in another
  // order moves the sum by up to ~2m·ε·Σᵢ‖gᵢ‖; and a gradient 1e13 times smaller than the largest one is a
  // residue of cancellation (a bias before a batch centring has exact gradient 0, computed as ~1e-17).
  const largest = Math.max(0, ...params.map((id) => norm(gradOf(id, batch))));
  const roundingLevel = new Map(params.map((id) => [id, 1e-13 * largest]));
  const compare = (name: ComparisonName, param: string, observed: Tensor, expected: Tensor, diagnose: (d: ScaleDiagnosis) => string, factor: number) => {
    const rel = relativeDifference(observed, expected);
    const d = diagnoseScale(observed, expected, factor);
    const withinTolerance = rel <= tolerance(name);
    const withinRounding = !withinTolerance && rel * (norm(observed) + norm(expected)) <= roundingLevel.get(param)!;
    const pass = withinTolerance || withinRounding;
    comparisons.push({ comparison: name, param, relativeDifference: rel, tolerance: tolerance(name), pass, withinRounding, ratio: d.ratio, diagnosis: pass ? undefined : diagnose(d) });
  };

  // Per-sample gradients both ways, chunk by chunk in lockstep: their sums, their norms, and the worst
  // per-sample mismatch between the two ways.
  // (The per-sample norms also set the rounding level of the invariance comparisons.)
  const usesPerSample = (["slicing", "vectorised", "perSample", "permutation", "duplication", "sumCost"] as const).some(wanted);
  if (!structure.batched) {
    for (const name of ["slicing", "vectorised", "perSample", "duplication"] as const) skip(name, structure.scaleNote!);
  } else if (usesPerSample) {
    const sliced = perSampleGradsBySlicing(graph, values, { chunkSize: opts.chunkSize, reuseBuffers: true });
    let vectorised: Iterator<PerSampleChunk> | undefined = wanted("vectorised") || wanted("perSample") ? perSampleGradsVectorised(graph, values, { chunkSize: opts.chunkSize, reuseBuffers: true }) : undefined;
    const sums = { slicing: sumBuffers(params, values), vectorised: sumBuffers(params, values) };
    const normSums = new Map(params.map((id) => [id, 0]));
    const worst = new Map(params.map((id) => [id, { rel: -1, vec: new Float64Array(0), sli: new Float64Array(0) }]));
    for (const a of sliced) {
      let b: PerSampleChunk | undefined;
      try {
        b = vectorised?.next().value as PerSampleChunk | undefined;
      } catch (e) {
        if (!(e instanceof GradstreamError)) throw e;
        skip("vectorised", e.issues[0].message);
        skip("perSample", `no vectorised per-sample gradients to compare: ${e.issues[0].message}`);
        vectorised = undefined;
      }
      for (const id of params) {
        const size = values.get(id)!.data.length;
        const ga = a.grads.get(id)!;
        addSamples(sums.slicing.get(id)!, ga, a.count, a.start, weightOf);
        for (let i = 0; i < a.count; i++) normSums.set(id, normSums.get(id)! + weightOf(a.start + i) * norm(tensor(1, size, ga.subarray(i * size, (i + 1) * size))));
        if (!b) continue;
        const gb = b.grads.get(id)!;
        addSamples(sums.vectorised.get(id)!, gb, b.count, b.start, weightOf);
        for (let i = 0; i < a.count; i++) {
          const va = ga.subarray(i * size, (i + 1) * size), vb = gb.subarray(i * size, (i + 1) * size);
          const rel = relativeDifference(vb, va);
          const w = worst.get(id)!;
          if (rel > w.rel) Object.assign(w, { rel, vec: vb.slice(), sli: va.slice() });
        }
      }
    }
    const perSampleScale = N ** (k ?? 0) / N; // batch ≈ perSampleScale × Σᵢ wᵢ·gᵢ
    for (const id of params) roundingLevel.set(id, Math.max(roundingLevel.get(id)!, 8 * 2 * m * EPS * perSampleScale * normSums.get(id)!));
    if (k === undefined) for (const name of ["slicing", "vectorised"] as const) skip(name, structure.scaleNote!);
    for (const id of params) {
      const shape = values.get(id)!.shape;
      for (const way of ["slicing", "vectorised"] as const) {
        if (skipped(way)) continue;
        const expected = tensor(shape[0], shape[1], sums[way].get(id)!.map((s) => s * perSampleScale));
        const note = way === "vectorised" ? " (the vectorised per-sample gradients are read from the batch backward, so only a non-scale error shows here)" : "";
        const meanText = weights ? `${structure.weights}-weighted mean of per-sample gradients` : "mean of per-sample gradients";
        compare(way, id, gradOf(id, batch), expected, (d) => (couplingText ? `${couplingText}; per-sample gradients do not add up to the batch gradient for such a graph, and should not` : (weights && weightedText(d, m, N, structure.weights!)) || scaleText("batch gradient", k === 0 ? meanText : `m^${k} × ${meanText}`, d, m, k!, note)), m);
      }
      if (!skipped("perSample")) {
        const w = worst.get(id)!;
        compare("perSample", id, tensor(shape[0], shape[1], w.vec), tensor(shape[0], shape[1], w.sli), (d) => scaleText("vectorised ∇Lᵢ", "∇Lᵢ by slicing", d, m, 0, " (the vectorised method inherits the scaling of the batch backward; slicing, at m = 1, does not)"), m);
      }
    }
  }

  // Finite differences of the forward: the reference that shares nothing with any backward.
  const fdEntries: ScalingReport["fdEntries"] = {};
  if (wanted("fd") && opts.fdCoordinates === 0) skip("fd", "skipped (--fd-coords 0)");
  else if (wanted("fd")) {
    const fd = gradientCheck(graph, values, { analytic: batch, coordinates: opts.fdCoordinates, seed: opts.seed });
    for (const p of fd.params) {
      fdEntries[p.param] = { compared: p.indices.length, nonSmooth: p.nonSmooth.length, noisy: p.noisy.length };
      const a = tensor(1, p.analytic.length, p.analytic), n = tensor(1, p.numeric.length, p.numeric);
      const rel = p.relativeDifference;
      const d = diagnoseScale(a, n, m, 1e-4);
      // Where the numerical gradient itself is only known to ±σ (a tiny gradient, a noisy or kinked cost),
      // agreement within that uncertainty is all finite differences can show.
      const withinTolerance = rel <= tolerance("fd");
      const withinRounding = !withinTolerance && p.withinUncertainty;
      const pass = withinTolerance || withinRounding;
      comparisons.push({ comparison: "fd", param: p.param, relativeDifference: rel, tolerance: tolerance("fd"), pass, withinRounding, ratio: d.ratio, diagnosis: pass ? undefined : fdText(d, m) });
    }
  }

  // Invariances: the order of the samples, the batch taken twice, the cost summed instead of averaged.
  if (wanted("permutation") && m === 1) skip("permutation", "m = 1: nothing to permute");
  else if (wanted("permutation")) {
    const rng = createRng(opts.seed ?? 1);
    const order = Array.from({ length: m }, (_, i) => i);
    for (let i = m - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const permuted = backward(graph, forward(graph, selectSamples(graph, values, order)), params);
    for (const id of params) compare("permutation", id, gradOf(id, permuted), gradOf(id, batch), (d) => `the gradient changes when the samples are reordered (ratio ${show(d.ratio)})${couplingText ? `: ${couplingText}` : ": an op treats the columns (samples) unequally"}`, 1);
  }
  if (wanted("duplication") && structure.batched && k === undefined) skip("duplication", structure.scaleNote!);
  else if (wanted("duplication") && structure.batched) {
    const twice = Array.from({ length: 2 * m }, (_, i) => i % m);
    const doubled = backward(graph, forward(graph, selectSamples(graph, values, twice)), params);
    for (const id of params) compare("duplication", id, gradOf(id, doubled), scale(gradOf(id, batch), 2 ** k!), (d) => dupText(d, k!), 2);
  }
  const summed = wanted("sumCost") ? withSumCost(graph) : undefined;
  if (wanted("sumCost") && !summed) skip("sumCost", structure.weights ? `the cost is a mean over the items (weighted by ${structure.weights}); it has no mean over the samples to turn into a sum` : "the cost has no mean over the samples to turn into a sum");
  else if (summed) {
    const sumGrads = backward(summed, forward(summed, values), params);
    for (const id of params) compare("sumCost", id, gradOf(id, sumGrads), scale(gradOf(id, batch), m), (d) => scaleText("gradient of the sum cost", "m × gradient of the mean cost", d, m, 0, ""), m);
  }

  // The batch cut at random points: its parts' gradients, combined by the rule that fits the cost.
  const rule = fittingRule(structure);
  if (wanted("split") && !structure.batched) skip("split", structure.scaleNote!);
  else if (wanted("split") && m === 1) skip("split", "m = 1: nothing to split");
  else if (wanted("split") && !rule) skip("split", `no combination rule fits the cost: ${structure.scaleNote}`);
  else if (wanted("split")) {
    const sizes = randomSizes(m, createRng((opts.seed ?? 1) ^ 0x5b117));
    const split = splitGradients(graph, values, sizes).rules[rule!];
    for (const p of split.params) {
      const pass = p.relativeDifference <= tolerance("split") || p.withinRounding;
      comparisons.push({ comparison: "split", param: p.param, relativeDifference: p.relativeDifference, tolerance: tolerance("split"), pass, withinRounding: p.withinRounding, ratio: p.ratio, diagnosis: pass ? undefined : `split into ${sizes.join(",")}, ${rule} rule: ${split.diagnosis ?? "the combined gradient differs from the batch gradient"}` });
    }
  }

  const failures = comparisons.filter((c) => !c.pass).map((c) => ({ comparison: c.comparison, param: c.param, relativeDifference: c.relativeDifference, ratio: c.ratio, diagnosis: c.diagnosis! }));
  return { graph: graph.name, m, loss, structure, comparisons, notApplicable, fdEntries, failures, pass: failures.length === 0 };
}

/** "batch gradient = (1/m) × mean of per-sample gradients (m = 2, ratio 0.5): 1/m applied twice". */
function scaleText(lhs: string, rhs: string, d: ScaleDiagnosis, m: number, k: number, note: string): string {
  const at = `(m = ${m}, ratio ${show(d.ratio)})`;
  if (d.power === -1) return `${lhs} = (1/m) × ${rhs} ${at}: ${k === 0 ? "1/m applied twice" : "one 1/m too many"}${note}`;
  if (d.power === 1) return `${lhs} = m × ${rhs} ${at}: ${k === 0 ? "1/m missing: the cost sums over samples" : "one factor m too many"}${note}`;
  if (d.power !== undefined && d.power !== 0) return `${lhs} = m^${d.power} × ${rhs} ${at}: the 1/m is applied ${1 - d.power} times${note}`;
  if (m === 1) return `${lhs} ≠ ${rhs} at m = 1 (ratio ${show(d.ratio)}): not a matter of 1/m (m = 1); a backward disagrees with its forward, or the cost is not a mean of per-sample costs${note}`;
  return `${lhs} ≠ ${rhs} ${at}, and not by a power of m: a backward disagrees with its forward, or the cost is not a mean of per-sample costs${note}`;
}

function fdText(d: ScaleDiagnosis, m: number): string {
  const at = `(m = ${m}, ratio ${show(d.ratio)})`;
  if (d.power === -1) return `backward = (1/m) × finite differences of the forward ${at}: 1/m applied twice in the backward`;
  if (d.power === 1) return `backward = m × finite differences of the forward ${at}: the backward misses the 1/m its forward applies`;
  return `the backward disagrees with finite differences of the forward ${at}${m > 1 ? ", not by a power of m" : ""}: an op's backward does not match its forward`;
}

function dupText(d: ScaleDiagnosis, k: number): string {
  const expected = k === 0 ? "the same gradient" : `2^${k} × the gradient`;
  if (d.power === -1) return `duplicating the batch (m → 2m) gave 1/2 × ${expected}: ${k === 0 ? "1/m applied twice" : "one 1/m too many"}`;
  if (d.power === 1) return `duplicating the batch (m → 2m) gave 2 × ${expected}: ${k === 0 ? "1/m missing: the cost sums over samples" : "one factor m too many"}`;
  return `duplicating the batch (m → 2m) did not give ${expected} (ratio ${show(d.ratio)})`;
}

function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : "undefined (zero reference)";
}

function zerosLike(t: Tensor): Tensor {
  return tensor(t.shape[0], t.shape[1]);
}

function sumBuffers(params: readonly string[], values: ReadonlyMap<string, Tensor>): Map<string, Float64Array> {
  return new Map(params.map((id) => [id, new Float64Array(values.get(id)!.data.length)]));
}

/** acc += Σᵢ wᵢ·gᵢ over a chunk's samples (wᵢ = 1 without weights). */
function addSamples(acc: Float64Array, chunk: Float64Array, count: number, start: number, weightOf: (i: number) => number): void {
  const size = acc.length;
  for (let i = 0; i < count; i++) {
    const w = weightOf(start + i);
    if (w === 0) continue;
    for (let j = 0, o = i * size; j < size; j++) acc[j] += w * chunk[o + j];
  }
}

/**
 * For a weighted cost, a ratio of Σw/m (or m/Σw) means the weighted mean divides by the wrong count:
 * "batch gradient = (Σw/m) × the M-weighted mean … : the backward divides by the m samples, not the Σw items".
 */
function weightedText(d: ScaleDiagnosis, m: number, N: number, weights: string): string | undefined {
  if (!d.pure || N === m) return undefined;
  const at = `(m = ${m}, Σ${weights} = ${show(N)}, ratio ${show(d.ratio)})`;
  if (Math.abs(d.ratio / (N / m) - 1) <= 1e-6) return `batch gradient = (Σ${weights}/m) × the ${weights}-weighted mean of per-sample gradients ${at}: the cost's backward divides by the m samples, not by the Σ${weights} items`;
  if (Math.abs(d.ratio / (m / N) - 1) <= 1e-6) return `batch gradient = (m/Σ${weights}) × the ${weights}-weighted mean of per-sample gradients ${at}: the per-sample gradients are weighted by items but the batch's are not`;
  return undefined;
}

/** 2 to 8 parts (at most m) cut at distinct random points: an uneven split, in order. */
function randomSizes(m: number, rng: { int(n: number): number }): number[] {
  const K = 2 + rng.int(Math.min(m, 8) - 1);
  const points = Array.from({ length: m - 1 }, (_, i) => i + 1);
  for (let i = 0; i < K - 1; i++) {
    const j = i + rng.int(points.length - i);
    [points[i], points[j]] = [points[j], points[i]];
  }
  const cuts = [0, ...points.slice(0, K - 1).sort((a, b) => a - b), m];
  return cuts.slice(1).map((c, i) => c - cuts[i]);
}
