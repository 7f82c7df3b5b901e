/**
 * The batch split into parts (micro-batches, or the shards of data-parallel workers), each part's own cost
 * gradient gₖ computed on its samples alone, and every combination rule of `combineRule.ts` compared with
 * the gradient of the whole batch, per param. Each rule that fails is read as a diagnosis naming the part
 * it misweighs ("mean of micro-batch means: part 1 holds 3 of 16 items but weighs 1/2; …").
 *
 * The batch's samples are cut in order: part k holds the next `sizes[k]` samples. A part's items are its
 * samples, or for a `weighted_mean` cost the sum of its samples' weights; a part with no items has no cost
 * and is not evaluated (see `combineParts`). A rule passes when every param's relative difference
 * ‖g_rule − g‖/(‖g_rule‖ + ‖g‖) is at most 1e-10, or below what float64 rounding can cause (a gradient
 * 1e13 times smaller than the largest, or sums that cancel).
 *
 * @example
 * const r = splitGradients(graph, values, [16, 16]);
 * r.fitting                // "weighted" for a mean cost
 * r.rules.weighted.pass    // true
 * r.rules.mean.diagnosis   // "mean of micro-batch means: part 1 holds 3 of 16 items but weighs 1/2; weight each part by its items, 3/16 (--combine weighted)"
 */
import type { Graph } from "../graph/graph.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { type Tensor, norm, tensor } from "../tensor/tensor.ts";
import { COMBINE_RULES, type CombineRule, type PartResult, combineParts, fittingRule, ruleWeights } from "./combineRule.ts";
import { relativeDifference } from "./relativeDifference.ts";
import { diagnoseScale } from "./scaleDiagnosis.ts";
import { type SampleStructure, sampleStructure } from "./sampleStructure.ts";
import { itemsIn, sampleWeights } from "./sampleWeights.ts";
import { selectSamples } from "./selectSamples.ts";

/** The relative difference up to which a rule reproduces the batch gradient. */
export const SPLIT_TOLERANCE = 1e-10;

export interface SplitPart {
  /** The part's first sample and its number of samples. */
  start: number;
  count: number;
  /** Its items: its samples, or the sum of their weights for a weighted cost. */
  items: number;
  /** Its own cost Jₖ; absent when it holds no items. */
  loss?: number;
}

export interface RuleResult {
  rule: CombineRule;
  /** The weight the rule gives each part. */
  weights: number[];
  /** The combined cost Σₖ weightₖ·Jₖ. */
  loss: number;
  /** Per param: the relative difference, and the least-squares ratio combined ÷ batch. */
  params: { param: string; relativeDifference: number; ratio: number; withinRounding: boolean; pass: boolean }[];
  /** The largest relative difference over the params. */
  relativeDifference: number;
  pass: boolean;
  /** Why it fails, naming the part it misweighs; only on failures. */
  diagnosis?: string;
}

export interface SplitReport {
  graph: string;
  m: number;
  /** The batch's own cost and its items (m, or Σw). */
  loss: number;
  items: number;
  /** What a part's items are: "samples", or "items" for a weighted cost. */
  unit: "samples" | "items";
  /** The cost's reduction, and for a weighted one the id holding the weights. */
  reduction?: { node: string; op: string; operand: string; weights?: string };
  parts: SplitPart[];
  /** The rule that fits the cost, and why; undefined when none does. */
  fitting?: CombineRule;
  why: string;
  rules: Record<CombineRule, RuleResult>;
  structure: SampleStructure;
}

const EPS = 2 ** -52;

export function splitGradients(graph: Graph, values: ReadonlyMap<string, Tensor>, sizes: readonly number[]): SplitReport {
  const structure = sampleStructure(graph);
  const { m } = bindShapes(graph, values);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== m || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`split sizes ${sizes.join(",")} must be positive and add up to m = ${m}`);
  const params = graph.params.map((p) => p.id);
  const weights = sampleWeights(graph, values);
  const gradients = (vals: ReadonlyMap<string, Tensor>): PartResult => {
    const computed = forward(graph, vals);
    const g = backward(graph, computed, params);
    return { loss: computed.get(graph.loss)!.data[0], grads: Object.fromEntries(params.map((id) => [id, g.get(id) ?? tensor(...(vals.get(id)!.shape as [number, number]))])) };
  };

  const batch = gradients(values);
  const parts: SplitPart[] = [];
  const results: (PartResult | undefined)[] = [];
  let start = 0;
  for (const count of sizes) {
    const items = itemsIn(weights, start, count);
    const result = items > 0 ? gradients(selectSamples(graph, values, Array.from({ length: count }, (_, i) => start + i))) : undefined;
    parts.push({ start, count, items, ...(result && { loss: result.loss }) });
    results.push(result);
    start += count;
  }

  const items = parts.reduce((a, p) => a + p.items, 0);
  const unit = weights ? "items" : "samples";
  const r = structure.reductions[0];
  const graphNode = r && graph.nodes.find((n) => n.id === r.node)!;
  const reduction = r && { node: r.node, op: r.op, operand: graphNode.in[0], ...(r.weights !== undefined && { weights: r.weights }) };
  const fitting = fittingRule(structure);
  const largest = Math.max(0, ...params.map((id) => norm(batch.grads[id])));
  const coupling = structure.coupling[0];

  const rules = {} as Record<CombineRule, RuleResult>;
  for (const rule of COMBINE_RULES) {
    const w = ruleWeights(rule, parts.map((p) => p.items));
    const combined = combineParts(results, w);
    const perParam = params.map((param) => {
      const observed = combined.grads[param] ?? tensor(...(batch.grads[param].shape as [number, number]));
      const rel = relativeDifference(observed, batch.grads[param]);
      // What rounding can do: 1e-13 of the largest gradient (a gradient that is 0 in exact arithmetic), and
      // reordering the sums of m samples and K parts.
      let spread = 0;
      results.forEach((res, k) => res && (spread += Math.abs(w[k]) * norm(res.grads[param])));
      const level = Math.max(1e-13 * largest, 8 * (m + sizes.length) * EPS * spread);
      const withinTolerance = rel <= SPLIT_TOLERANCE;
      const withinRounding = !withinTolerance && rel * (norm(observed) + norm(batch.grads[param])) <= level;
      return { param, relativeDifference: rel, ratio: diagnoseScale(observed, batch.grads[param], 1).ratio, withinRounding, pass: withinTolerance || withinRounding };
    });
    const pass = perParam.every((p) => p.pass);
    const result: RuleResult = { rule, weights: w, loss: combined.loss, params: perParam, relativeDifference: Math.max(0, ...perParam.map((p) => p.relativeDifference)), pass };
    if (!pass) result.diagnosis = diagnose(rule, w, fitting, parts, items, unit, r?.op, structure, coupling && `node '${coupling.node}' (${coupling.op}) couples samples: ${coupling.reason}`);
    rules[rule] = result;
  }
  return { graph: graph.name, m, loss: batch.loss, items, unit, reduction, parts, fitting, why: whyRule(fitting, reduction, structure), rules, structure };
}

/** Why the fitting rule fits this cost, in one sentence. */
function whyRule(fitting: CombineRule | undefined, r: SplitReport["reduction"], structure: SampleStructure): string {
  if (!fitting || !r) return `no rule fits: ${structure.scaleNote ?? "the cost has no reduction over the samples"}`;
  if (r.weights) return `${r.node} = ${r.op}(${r.operand}, ${r.weights}) averages over the items (Σ${r.weights}), so part k's gradient carries 1/Wₖ, Wₖ = Σ${r.weights} over its samples, and weighs Wₖ/W`;
  if (fitting === "weighted") return `${r.node} = ${r.op}(${r.operand}) averages over the m samples, so part k's gradient carries 1/mₖ and weighs mₖ/m`;
  return `${r.node} = ${r.op}(${r.operand}) adds up the samples' losses: each part's gradient is already a sum over its samples, so the parts add up`;
}

const RULE_NAMES: Record<CombineRule, string> = { weighted: "weighted mean", mean: "mean", sum: "sum" };

/**
 * "mean of micro-batch means: part 1 holds 3 of 16 items but weighs 1/2; weight each part by its items,
 * 3/16 (--combine weighted)": the part whose weight is furthest from the one the cost needs.
 */
function diagnose(rule: CombineRule, weights: number[], fitting: CombineRule | undefined, parts: SplitPart[], total: number, unit: string, op: string | undefined, structure: SampleStructure, coupling: string | undefined): string {
  if (!fitting) return `no rule reproduces the batch gradient: ${structure.scaleNote}`;
  const right = ruleWeights(fitting, parts.map((p) => p.items));
  let worst = 0;
  for (let k = 1; k < parts.length; k++) if (Math.abs(weights[k] - right[k]) > Math.abs(weights[worst] - right[worst])) worst = k;
  if (Math.abs(weights[worst] - right[worst]) <= 1e-12 * Math.max(1, Math.abs(right[worst]))) {
    if (coupling) return `${coupling}; each part is computed on its own samples, so its gradient is not a part of the batch's, and no combination reproduces it`;
    return `the parts' gradients weighted as the cost needs still differ from the batch gradient: the cost is not a ${fitting === "sum" ? "sum" : "mean"} of per-sample costs, or a backward disagrees with its forward`;
  }
  const costWord = op === "sum" ? "sum" : "mean";
  const p = parts[worst];
  const advice = fitting === "weighted" ? `weight each part by its ${unit}, ${ratio(p.items, total)} (--combine weighted)` : `a sum cost's parts add up: weight each by 1 (--combine sum)`;
  return `${RULE_NAMES[rule]} of micro-batch ${costWord}s: part ${worst + 1} holds ${show(p.items)} of ${show(total)} ${unit} but weighs ${weightText(rule, p.items, total, parts.length)}; ${advice}`;
}

function weightText(rule: CombineRule, items: number, total: number, K: number): string {
  if (rule === "mean") return `1/${K}`;
  if (rule === "sum") return "1";
  return ratio(items, total);
}

/** "3/16" for whole numbers, else a decimal. */
function ratio(a: number, b: number): string {
  return Number.isInteger(a) && Number.isInteger(b) ? `${a}/${b}` : show(a / b);
}

function show(x: number): string {
  return String(Number(x.toPrecision(6)));
}
