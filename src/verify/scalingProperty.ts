/**
 * The scaling check as a property, run by fast-check: for batch sizes m drawn from a list or a range and
 * random data (inputs and params from `randomBindings(graph, m, seed)`), every comparison of
 * `checkScaling` holds. On a failure fast-check shrinks the case to the smallest m (a list shrinks toward
 * its first, smallest, element; a range toward its minimum) and the result carries the counterexample's
 * full report, so the failure reads as a diagnosis, and fast-check's own report (seed, path, shrunk case).
 * With fixed `data` only the seed varies (the permutation and the entries the gradient check samples).
 *
 * Across all the instances evaluated (runs and shrinking steps) it keeps, per param and comparison, the
 * largest relative difference seen, and the scale ratio at that instance.
 *
 * @example
 * const result = checkScalingProperty(graph, { m: { min: 1, max: 16 }, runs: 20, seed: 1 });
 * result.pass            // false for a graph whose mean applies 1/m twice
 * result.counterexample  // { m: 1, seed: 0, report } — report.failures[0].diagnosis:
 *                        // "duplicating the batch (m → 2m) gave 1/2 × the same gradient: 1/m applied twice"
 */
import fc from "fast-check";
import { GradstreamError } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { randomBindings } from "../data/bindData.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { checkScaling, type ComparisonName, type NotApplicable, type ScalingCheckOptions, type ScalingReport } from "./checkScaling.ts";

/** Options of `checkScalingProperty`: those of `checkScaling`, and what fast-check draws. */
export interface ScalingPropertyOptions extends Omit<ScalingCheckOptions, "seed"> {
  /** Batch sizes: a list, or an inclusive range. Ignored with `data` (its m is used). */
  m?: readonly number[] | { min: number; max: number };
  /** Fixed inputs and params (a data file) instead of random data. */
  data?: ReadonlyMap<string, Tensor>;
  /** Number of random cases (default 20). */
  runs?: number;
  /** fast-check's seed (default: random); the report gives the one used. */
  seed?: number;
  /** Called after every evaluated instance, runs and shrinking steps alike. */
  onInstance?: (report: ScalingReport, phase: "run" | "shrink") => void;
  /**
   * Reports already computed for cases (m, seed), keyed `${m} ${seed}` — by worker threads, in parallel
   * (`scalingCases` lists the cases fast-check will try). They are used instead of computing the case
   * again; everything else (the order of the runs, shrinking) is as without them.
   */
  reports?: ReadonlyMap<string, ScalingReport>;
}

/** One comparison of one param, summed up over every instance evaluated. */
export interface WorstCase {
  /** The largest relative difference seen, and the scale ratio and m of that instance. */
  relativeDifference: number;
  ratio: number;
  m: number;
  tolerance: number;
  /** The worst instance passed only because its difference is below what rounding can cause. */
  withinRounding: boolean;
  /** Instances in which the comparison failed (a difference above tolerance may still pass as rounding). */
  failed: number;
}

/** What `checkScalingProperty` found, with the shrunk counterexample on a failure. */
export interface ScalingPropertyResult {
  pass: boolean;
  /** Cases run before the first failure (or all), and shrinking steps after it. */
  runs: number;
  shrinks: number;
  /** fast-check's seed: pass it back as `seed` to replay the same cases. */
  seed: number;
  /** param → comparison → the worst instance seen. */
  worst: Map<string, Map<ComparisonName, WorstCase>>;
  /** Per param, summed over all instances: `ScalingReport.fdEntries`. */
  fdEntries: Map<string, { compared: number; nonSmooth: number; noisy: number }>;
  /** Comparisons that could not be made, with the reason (deduplicated across instances). */
  notApplicable: NotApplicable[];
  /** The shrunk failing case: m, the data seed, and its full report. */
  counterexample?: { m: number; seed: number; report: ScalingReport };
  /** fast-check's report of the failure (seed, counterexample, path). */
  fastCheckReport?: string;
}

export function checkScalingProperty(graph: Graph, opts: ScalingPropertyOptions = {}): ScalingPropertyResult {
  const worst = new Map<string, Map<ComparisonName, WorstCase>>();
  const notApplicable = new Map<string, NotApplicable>();
  const fdEntries = new Map<string, { compared: number; nonSmooth: number; noisy: number }>();
  let phase: "run" | "shrink" = "run";
  const evaluate = (m: number, seed: number): ScalingReport => {
    const known = opts.reports?.get(`${m} ${seed}`);
    if (known) return known;
    const values = opts.data ?? randomBindings(graph, m, seed).values;
    return checkScaling(graph, values, { ...opts, seed });
  };
  const record = (report: ScalingReport) => {
    for (const c of report.comparisons) {
      const perParam = worst.get(c.param) ?? worst.set(c.param, new Map()).get(c.param)!;
      const w = perParam.get(c.comparison) ?? perParam.set(c.comparison, { relativeDifference: -1, ratio: NaN, m: 0, tolerance: c.tolerance, withinRounding: false, failed: 0 }).get(c.comparison)!;
      if (c.relativeDifference > w.relativeDifference) Object.assign(w, { relativeDifference: c.relativeDifference, ratio: c.ratio, m: report.m, withinRounding: c.withinRounding });
      if (!c.pass) w.failed++;
    }
    for (const n of report.notApplicable) notApplicable.set(`${n.comparison}: ${n.reason}`, n);
    for (const [param, e] of Object.entries(report.fdEntries)) {
      const total = fdEntries.get(param) ?? fdEntries.set(param, { compared: 0, nonSmooth: 0, noisy: 0 }).get(param)!;
      total.compared += e.compared;
      total.nonSmooth += e.nonSmooth;
      total.noisy += e.noisy;
    }
    opts.onInstance?.(report, phase);
  };

  const property = fc.property(...caseArbitraries(graph, opts), (m, seed) => {
    const report = evaluate(m, seed);
    record(report);
    if (!report.pass) {
      phase = "shrink";
      throw new Error(report.failures.map((f) => `${f.comparison} ${f.param}: ${f.diagnosis}`).join("\n"));
    }
  });
  const details = fc.check(property, { numRuns: opts.runs ?? 20, seed: opts.seed });
  // A case that could not be evaluated at all (a value overflowed float64) is not a scaling failure: it is
  // the error of the smallest such case, reported as such.
  if (details.failed && details.errorInstance instanceof GradstreamError) throw details.errorInstance;
  const result: ScalingPropertyResult = {
    pass: !details.failed,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    seed: details.seed,
    worst,
    fdEntries,
    notApplicable: [...notApplicable.values()],
  };
  if (details.failed && details.counterexample) {
    const [m, seed] = details.counterexample;
    result.counterexample = { m, seed, report: evaluate(m, seed) };
    result.fastCheckReport = fc.defaultReportMessage(details);
  }
  return result;
}

/** What fast-check draws: the batch size m (fixed by a data file) and the data seed. */
function caseArbitraries(graph: Graph, opts: ScalingPropertyOptions): [fc.Arbitrary<number>, fc.Arbitrary<number>] {
  const dataM = opts.data && dataBatchSize(graph, opts.data);
  return [dataM !== undefined ? fc.constant(dataM) : batchSizes(opts.m ?? { min: 1, max: 16 }), fc.integer({ min: 0, max: 0x7fffffff })];
}

/**
 * The cases (m, seed) `checkScalingProperty` runs with these options, in order, before any failure: the same
 * arbitraries and seed, run with a property that only records them. Computing their reports ahead (in
 * parallel) and passing them as `reports` gives the same result as running the property alone.
 *
 * @example
 * const cases = scalingCases(graph, { m: { min: 1, max: 16 }, runs: 20, seed: 7 }); // [[13, 904…], …]
 */
export function scalingCases(graph: Graph, opts: Pick<ScalingPropertyOptions, "m" | "data" | "runs" | "seed">): [number, number][] {
  const cases: [number, number][] = [];
  fc.check(fc.property(...caseArbitraries(graph, opts), (m, seed) => void cases.push([m, seed])), { numRuns: opts.runs ?? 20, seed: opts.seed });
  return cases;
}

function batchSizes(spec: readonly number[] | { min: number; max: number }): fc.Arbitrary<number> {
  if ("min" in spec) return fc.integer({ min: spec.min, max: spec.max });
  const sorted = [...new Set(spec)].sort((a, b) => a - b);
  return fc.constantFrom(...sorted);
}

/** The number of columns of the first input that carries samples. */
function dataBatchSize(graph: Graph, data: ReadonlyMap<string, Tensor>): number {
  const input = graph.inputs.find((d) => d.shape[1] === "m");
  return input ? data.get(input.id)!.shape[1] : 1;
}
