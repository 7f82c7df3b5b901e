/**
 * `npm run bench:reactive`: per-update propagation time on the js-reactivity-benchmark shapes (deep chain
 * of 100, fan-out to 1000, diamond of width 5, 3×3 lattice, an MLP of 4 layers × 8 scalar units), as graphs
 * of [1,1] tensors through gradstream's runtime, against @preact/signals-core computing the same arithmetic
 * node for node and against naive `combineLatest` wiring, in the same run. One update = one `set` of one
 * input. Forward-only (value$ on the leaves) is the like-for-like figure against Preact; forward+backward
 * (also grad$ of the driven input and every param) is reported beside it.
 *
 * @example
 * npm run bench:reactive          # a table of µs/update and ratios; QUICK=1 for a short run
 */
import { parseGraph } from "../src/graph/parseGraph.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import { tensor, type Tensor } from "../src/tensor/tensor.ts";
import { timeSteps } from "./timeSteps.ts";
import { chainShape, diamondShape, fanOutShape, latticeShape, mlpShape, type ReactiveShape } from "./reactiveShapes.ts";
import { preactMirror, type Mirror } from "./preactMirror.ts";
import { combineLatestMirror } from "./combineLatestMirror.ts";

const quick = process.env.QUICK === "1";
const opts = quick ? { batches: 5, budgetMs: 300, warmupMs: 150 } : { batches: 9, budgetMs: 1200, warmupMs: 400 };
const shapes: ReactiveShape[] = [chainShape(100), fanOutShape(1000), diamondShape(5), latticeShape(3), mlpShape(4, 8)];

interface Engine {
  update(i: number): void;
  leaf(id: string): number;
  fires(): number;
  dispose(): void;
}

/** Two values the driver alternates between, so every update changes every node. */
function driverValues(shape: ReactiveShape): [number, number] {
  const v = shape.inputs[shape.driver][0][0];
  return [v, v + 0.5];
}

function gradstream(shape: ReactiveShape, withGrads: boolean): Engine {
  const graph = parseGraph(shape.yaml, "yaml", shape.name);
  const rt = createRuntime(graph, { inputs: shape.inputs, params: shape.params });
  const [v0, v1] = driverValues(shape);
  const next: Tensor[] = [tensor(1, 1, Float64Array.of(v0)), tensor(1, 1, Float64Array.of(v1))];
  let fires = 0;
  const last = new Map<string, number>();
  for (const id of shape.leaves) rt.value$(id).subscribe((t) => (last.set(id, t.data[0]), fires++));
  if (withGrads) for (const id of [shape.driver, ...Object.keys(shape.params)]) rt.grad$(id).subscribe(() => {});
  return {
    update: (i) => rt.set({ [shape.driver]: next[i & 1] }),
    leaf: (id) => last.get(id)!,
    fires: () => fires,
    dispose: () => rt.dispose(),
  };
}

function peer(shape: ReactiveShape, wire: (g: ReturnType<typeof parseGraph>, s: ReactiveShape) => Mirror): Engine {
  const m = wire(parseGraph(shape.yaml, "yaml", shape.name), shape);
  const values = driverValues(shape);
  return { update: (i) => m.set(shape.driver, values[i & 1]), leaf: m.leafValue, fires: m.fires, dispose: m.dispose };
}

/**
 * µs per update of each engine, measured in interleaved rounds: every round times one batch of each engine
 * in turn, so a burst of load from another process hits all of them alike. Returns each engine's median
 * and, per engine, the median over rounds of its time divided by the first engine's in the same round.
 */
function timeInterleaved(engines: Engine[], budgetScale: number[]): { us: number[]; ratio: number[] } {
  const counters = engines.map(() => 0);
  const steps = engines.map((e, k) => {
    const warm = timeSteps(() => e.update(++counters[k]), { batches: 1, budgetMs: opts.warmupMs * budgetScale[k], warmupMs: opts.warmupMs * budgetScale[k] });
    return Math.max(1, Math.round((opts.budgetMs * budgetScale[k]) / opts.batches / warm.median));
  });
  const perRound: number[][] = engines.map(() => []);
  for (let round = 0; round < opts.batches; round++) {
    engines.forEach((e, k) => {
      const t0 = performance.now();
      for (let s = 0; s < steps[k]; s++) e.update(++counters[k]);
      perRound[k].push(((performance.now() - t0) / steps[k]) * 1000);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    us: perRound.map(median),
    ratio: perRound.map((times) => median(times.map((t, r) => t / perRound[0][r]))),
  };
}

/** Leaf firings of one update, and whether the leaves agree bit for bit with gradstream's after it. */
function probe(shape: ReactiveShape, engines: Engine[]): { firesPerUpdate: number[]; agree: boolean } {
  const before = engines.map((e) => e.fires());
  engines.forEach((e) => e.update(1));
  const firesPerUpdate = engines.map((e, k) => e.fires() - before[k]);
  const agree = shape.leaves.every((id) => engines.every((e) => Object.is(e.leaf(id), engines[0].leaf(id))));
  engines.forEach((e) => e.update(2));
  return { firesPerUpdate, agree };
}

const rows: string[][] = [];
let worst = 0;
for (const shape of shapes) {
  const ours = gradstream(shape, false);
  const oursGrad = gradstream(shape, true);
  const preact = peer(shape, preactMirror);
  const naive = peer(shape, combineLatestMirror);
  const { firesPerUpdate, agree } = probe(shape, [ours, preact, naive]);
  // Preact first: every ratio is against it, round by round.
  const { us, ratio } = timeInterleaved([preact, ours, oursGrad, naive], [1, 1, 1, 0.5]);
  const [tPreact, tOurs, tOursGrad, tNaive] = us;
  worst = Math.max(worst, ratio[1]);
  rows.push([
    shape.name,
    tOurs.toFixed(2),
    tPreact.toFixed(2),
    ratio[1].toFixed(2) + "×",
    tOursGrad.toFixed(2),
    ratio[2].toFixed(2) + "×",
    tNaive.toFixed(2),
    ratio[3].toFixed(1) + "×",
    `${firesPerUpdate[0]}/${firesPerUpdate[1]}/${firesPerUpdate[2]}`,
    agree ? "yes" : "NO",
  ]);
  [ours, oursGrad, preact, naive].forEach((e) => e.dispose());
}

const header = ["shape", "gradstream µs", "preact µs", "ours/preact", "ours fwd+bwd µs", "fwd+bwd/preact", "naive rx µs", "naive/preact", "leaf fires (ours/preact/naive)", "same values"];
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
const line = (r: string[]) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
console.log(`per-update propagation, µs: median of ${opts.batches} interleaved rounds; ratios: median of per-round ratios (Node ${process.version})`);
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(`worst gradstream/preact ratio: ${worst.toFixed(2)}× (goal ≤ 1.5×)`);
