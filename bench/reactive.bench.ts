/**
 * `npm run bench:reactive`: per-update propagation time on the js-reactivity-benchmark shapes (deep chain
 * of 100, fan-out to 1000, diamond of width 5, 3×3 lattice, an MLP of 4 layers × 8 scalar units), as graphs
 * of [1,1] tensors through gradstream's runtime, against @preact/signals-core computing the same arithmetic
 * node for node, and against naive `combineLatest` wiring. One update = one `set` of one input.
 *
 * Forward-only (value$ on the leaves) is the like-for-like figure against Preact; forward+backward (also
 * grad$ of the driven input and of every param) is reported beside it.
 *
 * How it is timed: each pairing (Preact with gradstream forward, with gradstream forward+backward, with the
 * naive wiring) runs in a fresh Node process of its own, so one engine's JIT feedback and heap do not tax
 * another's; inside it the two engines are timed in interleaved rounds, so a burst of load from another
 * process hits both alike, and the ratio is the median of the per-round ratios. Every engine's leaves are
 * checked to agree bit for bit with Preact's before timing.
 *
 * @example
 * npm run bench:reactive          # the table; QUICK=1 for a short run
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseGraph } from "../src/graph/parseGraph.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import { tensor, type Tensor } from "../src/tensor/tensor.ts";
import { chainShape, diamondShape, fanOutShape, latticeShape, mlpShape, type ReactiveShape } from "./reactiveShapes.ts";
import { preactMirror, type Mirror } from "./preactMirror.ts";
import { combineLatestMirror } from "./combineLatestMirror.ts";

const quick = process.env.QUICK === "1";
const opts = quick ? { rounds: 7, budgetMs: 400, warmupMs: 150 } : { rounds: 15, budgetMs: 1500, warmupMs: 400 };
const shapes: Record<string, () => ReactiveShape> = {
  "chain-100": () => chainShape(100),
  "fan-out-1000": () => fanOutShape(1000),
  "diamond-5": () => diamondShape(5),
  "lattice-3x3": () => latticeShape(3),
  "mlp-4x8": () => mlpShape(4, 8),
};
type Pairing = "forward" | "backward" | "naive";

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
  const values = [{ [shape.driver]: next[0] }, { [shape.driver]: next[1] }];
  return {
    update: (i) => rt.set(values[i & 1]),
    leaf: (id) => last.get(id)!,
    fires: () => fires,
    dispose: () => rt.dispose(),
  };
}

function mirror(shape: ReactiveShape, wire: (g: ReturnType<typeof parseGraph>, s: ReactiveShape) => Mirror): Engine {
  const m = wire(parseGraph(shape.yaml, "yaml", shape.name), shape);
  const values = driverValues(shape);
  return { update: (i) => m.set(shape.driver, values[i & 1]), leaf: m.leafValue, fires: m.fires, dispose: m.dispose };
}

interface ChildResult {
  /** CPU time per update, µs, and the median per-round ratio engine/Preact. */
  preactUs: number;
  engineUs: number;
  ratio: number;
  /** The same by wall-clock time. */
  preactWallUs: number;
  engineWallUs: number;
  wallRatio: number;
  engineFires: number;
  preactFires: number;
  agree: boolean;
}

/** Child process: Preact and one other engine on one shape, timed in interleaved rounds. */
function runChild(shapeName: string, pairing: Pairing): ChildResult {
  const shape = shapes[shapeName]();
  const preact = mirror(shape, preactMirror);
  const engine = pairing === "naive" ? mirror(shape, combineLatestMirror) : gradstream(shape, pairing === "backward");
  const engines = [preact, engine];
  // One probing update: leaf firings, and the leaves must agree bit for bit.
  const before = engines.map((e) => e.fires());
  engines.forEach((e) => e.update(1));
  const [preactFires, engineFires] = engines.map((e, k) => e.fires() - before[k]);
  const agree = shape.leaves.every((id) => Object.is(engine.leaf(id), preact.leaf(id)));

  const counters = [1, 1];
  const warm = engines.map((e, k) => {
    let calls = 0;
    const t0 = performance.now();
    while (calls < 5 || performance.now() - t0 < opts.warmupMs) e.update(++counters[k]), calls++;
    return (performance.now() - t0) / calls;
  });
  // The naive wiring can be thousands of times slower: it gets the same wall-clock share, fewer updates.
  const steps = warm.map((ms) => Math.max(1, Math.round(opts.budgetMs / 2 / opts.rounds / ms)));
  // Both clocks per round: CPU time (this process's user+system, GC threads included) is what an update
  // costs; wall time also counts the time the process sat descheduled behind other work on the machine.
  const cpu: number[][] = [[], []];
  const wall: number[][] = [[], []];
  for (let r = 0; r < opts.rounds; r++) {
    engines.forEach((e, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let s = 0; s < steps[k]; s++) e.update(++counters[k]);
      const elapsed = performance.now() - t0;
      const used = process.cpuUsage(c0);
      wall[k].push((elapsed / steps[k]) * 1000);
      cpu[k].push((used.user + used.system) / steps[k]);
    });
  }
  engines.forEach((e) => e.dispose());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ratio = (t: number[][]) => median(t[1].map((x, r) => x / t[0][r]));
  return {
    preactUs: median(cpu[0]),
    engineUs: median(cpu[1]),
    ratio: ratio(cpu),
    preactWallUs: median(wall[0]),
    engineWallUs: median(wall[1]),
    wallRatio: ratio(wall),
    engineFires,
    preactFires,
    agree,
  };
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) {
  const [shapeName, pairing] = process.argv.slice(childAt + 1);
  process.stdout.write(JSON.stringify(runChild(shapeName, pairing as Pairing)));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (shapeName: string, pairing: Pairing): ChildResult =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, self, "--child", shapeName, pairing], { encoding: "utf8", env: process.env }));

  const header = ["shape", "gradstream µs", "preact µs", "ours/preact", "fwd+bwd µs", "fwd+bwd/preact", "naive rx µs", "naive/preact", "leaf fires/update (ours/preact/naive)", "same values"];
  const rows: string[][] = [];
  let worst = 0;
  for (const name of Object.keys(shapes)) {
    const fwd = run(name, "forward");
    const bwd = run(name, "backward");
    const naive = run(name, "naive");
    worst = Math.max(worst, fwd.ratio);
    rows.push([
      name,
      fwd.engineUs.toFixed(2),
      fwd.preactUs.toFixed(2),
      fwd.ratio.toFixed(2) + "×",
      bwd.engineUs.toFixed(2),
      bwd.ratio.toFixed(2) + "×",
      naive.engineUs.toFixed(2),
      naive.ratio.toFixed(1) + "×",
      `${fwd.engineFires}/${fwd.preactFires}/${naive.engineFires}`,
      fwd.agree && bwd.agree && naive.agree ? "yes" : "NO",
    ]);
  }
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
  const flags = process.execArgv.filter((a, i, all) => !a.includes("tsx") && !all[i + 1]?.includes("tsx")).join(" ");
  console.log(`per-update propagation (Node ${process.version}${flags ? ", " + flags : ""}): µs are medians of ${opts.rounds} interleaved rounds,`);
  console.log("ratios the median of per-round ratios against Preact timed in the same process (preact µs: the forward pairing's)");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`worst gradstream/preact ratio (forward): ${worst.toFixed(2)}× (goal ≤ 1.5×)`);
}
