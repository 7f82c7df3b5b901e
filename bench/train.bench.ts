/**
 * `npm run bench:train`: the course's planar run (10 000 full-batch gradient-descent steps, lr 1.2, of the
 * 2→4→1 tanh/sigmoid net on 400 points) three ways, in the same process, in turns:
 *   stream   — gradstream's training stream (trainStream over the reactive runtime), what `train` runs;
 *   evaluate — the from-scratch forward/backward of src/graph/evaluate.ts in a plain loop + the sgd step;
 *   plain    — the peer: the course's numpy formulas written as one hand-fused float64 JavaScript loop.
 * Prints the median wall time and CPU time of each and the ratios, and the cost each reaches at iteration
 * 7000 (they agree: the order of float operations differs only in rounding, ~1e-15).
 *
 * @example
 * npm run bench:train
 */
import { fileURLToPath } from "node:url";
import { firstValueFrom, toArray } from "rxjs";
import { loadGraph } from "../src/node/loadGraph.ts";
import { loadData } from "../src/node/loadData.ts";
import { forward, backward } from "../src/graph/evaluate.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { sgd } from "../src/train/sgd.ts";
import { batches$ } from "../src/train/batches.ts";
import { trainStream } from "../src/train/trainStream.ts";

const STEPS = 10_000;
const LR = 1.2;
const ROUNDS = 3;

const graph = await loadGraph(fileURLToPath(new URL("../graphs/planar-tanh.yaml", import.meta.url)));
const { values } = await loadData(fileURLToPath(new URL("../data/planar_flower.json", import.meta.url)), graph);
const inputs = { X: values.get("X")!, Y: values.get("Y")! };
const params: Record<string, Tensor> = {};
for (const p of graph.params) params[p.id] = values.get(p.id)!;

async function viaStream(): Promise<number> {
  const runtime = createRuntime(graph, { inputs, params });
  const opt = sgd({ lr: LR });
  const steps = await firstValueFrom(trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps: STEPS }), opt.init(params)).pipe(toArray()));
  runtime.dispose();
  return steps[7000].loss;
}

function viaEvaluate(): number {
  const opt = sgd({ lr: LR });
  let state = opt.init(params);
  let at7000 = NaN;
  const ids = Object.keys(params);
  for (let i = 0; i < STEPS; i++) {
    const v = forward(graph, new Map(Object.entries({ ...inputs, ...state.params })));
    if (i === 7000) at7000 = v.get("J")!.data[0];
    const g = backward(graph, v, ids);
    state = opt.step(state, Object.fromEntries(ids.map((id) => [id, g.get(id)!])));
  }
  return at7000;
}

function plainLoop(): number {
  const m = 400, h = 4;
  const X = inputs.X.data, Y = inputs.Y.data;
  const W1 = params.W1.data.slice(), b1 = params.b1.data.slice(), W2 = params.W2.data.slice(), b2 = params.b2.data.slice();
  const A1 = new Float64Array(h * m), A2 = new Float64Array(m), dZ1 = new Float64Array(h * m);
  let at7000 = NaN;
  for (let it = 0; it < STEPS; it++) {
    for (let i = 0; i < h; i++) for (let j = 0; j < m; j++) A1[i * m + j] = Math.tanh(W1[i * 2] * X[j] + W1[i * 2 + 1] * X[m + j] + b1[i]);
    let cost = 0;
    for (let j = 0; j < m; j++) {
      let z = b2[0];
      for (let i = 0; i < h; i++) z += W2[i] * A1[i * m + j];
      A2[j] = 1 / (1 + Math.exp(-z));
      cost -= Y[j] * Math.log(A2[j]) + (1 - Y[j]) * Math.log(1 - A2[j]);
    }
    if (it === 7000) at7000 = cost / m;
    const dW2 = new Float64Array(h), dW1 = new Float64Array(h * 2), db1 = new Float64Array(h);
    let db2 = 0;
    for (let j = 0; j < m; j++) {
      const dz2 = A2[j] - Y[j];
      db2 += dz2;
      for (let i = 0; i < h; i++) {
        dW2[i] += dz2 * A1[i * m + j];
        dZ1[i * m + j] = W2[i] * dz2 * (1 - A1[i * m + j] ** 2);
      }
    }
    for (let i = 0; i < h; i++) for (let j = 0; j < m; j++) (dW1[i * 2] += dZ1[i * m + j] * X[j]), (dW1[i * 2 + 1] += dZ1[i * m + j] * X[m + j]), (db1[i] += dZ1[i * m + j]);
    for (let i = 0; i < h; i++) (W2[i] -= (LR * dW2[i]) / m), (b1[i] -= (LR * db1[i]) / m), (W1[i * 2] -= (LR * dW1[i * 2]) / m), (W1[i * 2 + 1] -= (LR * dW1[i * 2 + 1]) / m);
    b2[0] -= (LR * db2) / m;
  }
  return at7000;
}

const runs = { stream: viaStream, evaluate: async () => viaEvaluate(), plain: async () => plainLoop() };
const times: Record<string, { wall: number[]; cpu: number[]; cost: number }> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(runs)) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const cost = await run();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    (times[name] ??= { wall: [], cpu: [], cost }).wall.push(wall);
    times[name].cpu.push((cpu.user + cpu.system) / 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plainCpu = median(times.plain.cpu);
console.log(`planar run, ${STEPS} full-batch steps of 400 samples, median of ${ROUNDS} rounds (load average ${(await import("node:os")).loadavg()[0].toFixed(1)}):`);
for (const [name, t] of Object.entries(times)) {
  const cpu = median(t.cpu);
  console.log(`  ${name.padEnd(9)} wall ${(median(t.wall) / 1000).toFixed(2)} s   cpu ${(cpu / 1000).toFixed(2)} s   ${((cpu * 1000) / STEPS).toFixed(0)} µs/step   ${(cpu / plainCpu).toFixed(1)}× plain   cost@7000 ${t.cost}`);
}
