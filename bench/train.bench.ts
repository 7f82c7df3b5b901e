/**
 * `npm run bench:train`: the course's planar run (10 000 full-batch gradient-descent steps, lr 1.2, of the
 * 2→4→1 tanh/sigmoid net on 400 points) three ways, in the same process, in interleaved rounds:
 *   stream   — gradstream's training stream (trainStream over the reactive runtime), what `train` runs;
 *   evaluate — the from-scratch forward/backward of src/graph/evaluate.ts in a plain loop + the sgd step;
 *   plain    — the peer: the course's numpy formulas written as one hand-fused float64 JavaScript loop.
 * Prints the median CPU time per step of each and the median over rounds of its ratio to the plain loop,
 * and the cost each reaches at iteration 7000 (stream and evaluate agree bit for bit; the plain loop adds
 * in another order, ~1e-16 apart). Then memory: the heap and ArrayBuffer storage after a run of 1 000 and
 * of 10 000 steps (flat: nothing grows with the steps), and the bytes one stream step allocates.
 *
 * @example
 * npm run bench:train
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Subject, firstValueFrom, last } from "rxjs";
import { loadGraph } from "../src/node/loadGraph.ts";
import { loadData } from "../src/node/loadData.ts";
import { forward, backward } from "../src/graph/evaluate.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { sgd } from "../src/train/sgd.ts";
import { type Batch, batches$ } from "../src/train/batches.ts";
import { trainStream } from "../src/train/trainStream.ts";
import { allocationPerStep, settledMemory } from "./memoryProbe.ts";
import { loadNativeKernel } from "../src/node/nativeKernel.ts";

// The kernels `gradstream train` runs on (the native one where built; GRADSTREAM_KERNEL forces one).
const kernels = loadNativeKernel();

const STEPS = 10_000;
const LR = 1.2;
const ROUNDS = 5;

const graph = await loadGraph(fileURLToPath(new URL("../graphs/planar-tanh.yaml", import.meta.url)));
const { values } = await loadData(fileURLToPath(new URL("../data/planar_flower.json", import.meta.url)), graph);
const inputs = { X: values.get("X")!, Y: values.get("Y")! };
const params: Record<string, Tensor> = {};
for (const p of graph.params) params[p.id] = values.get(p.id)!;

/** The stream of `steps` steps, run to its end; the cost at iteration 7000 (or NaN). */
async function viaStream(steps = STEPS): Promise<number> {
  const runtime = createRuntime(graph, { inputs, params });
  const opt = sgd({ lr: LR });
  let at7000 = NaN;
  const stream = trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps }), opt.init(params));
  await firstValueFrom(stream.pipe(last((s) => (s.step === 7000 && (at7000 = s.loss), true))));
  runtime.dispose();
  return at7000;
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

const load0 = loadavg()[0];
const runs = { stream: () => viaStream(), evaluate: async () => viaEvaluate(), plain: async () => plainLoop() };
const times: Record<string, { cpu: number[]; cost: number }> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(runs)) {
    const cpu0 = process.cpuUsage();
    const cost = await run();
    const cpu = process.cpuUsage(cpu0);
    (times[name] ??= { cpu: [], cost }).cpu.push((cpu.user + cpu.system) / 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`planar run, ${STEPS} full-batch steps of 400 samples, ${ROUNDS} interleaved rounds; CPU time of this process (load average ${load0.toFixed(2)} at the start)`);
console.log(`matrix kernel: ${kernels.kernel !== "auto" ? `${kernels.kernel} (GRADSTREAM_KERNEL)` : kernels.native ? `native ${kernels.native} above tiny products` : `WebAssembly above tiny products (no native kernel: ${kernels.reason})`}`);
console.log(`  ${"".padEnd(9)} ${"µs/step".padStart(8)}   ${"× plain (median, range over rounds)".padEnd(36)} cost at iteration 7000`);
for (const [name, t] of Object.entries(times)) {
  const ratios = t.cpu.map((c, r) => c / times.plain.cpu[r]);
  const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
  console.log(`  ${name.padEnd(9)} ${((median(t.cpu) * 1000) / STEPS).toFixed(0).padStart(8)}   ${`${median(ratios).toFixed(2)}×  (${range})`.padEnd(36)} ${t.cost}`);
}
const streamRatio = median(times.stream.cpu.map((c, r) => c / times.plain.cpu[r]));
console.log(`  target: the stream within 1.5× of the plain loop: ${streamRatio <= 1.5 ? "met" : "NOT met on this run"} (${streamRatio.toFixed(2)}×)`);

// ---- memory -----------------------------------------------------------------------------------------------
const MB = 1024 * 1024;
const mem = async (steps: number) => {
  const runtime = createRuntime(graph, { inputs, params });
  const opt = sgd({ lr: LR });
  await firstValueFrom(trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps }), opt.init(params)).pipe(last()));
  const m = await settledMemory(); // the runtime, its buffers and the last step are still alive here
  runtime.dispose();
  return m;
};
const base = await settledMemory();
const after1k = await mem(1_000);
const after10k = await mem(10_000);
const show = (m: { heap: number; external: number }) => `heap ${(m.heap / MB).toFixed(2)} MB, external (ArrayBuffers) ${(m.external / MB).toFixed(2)} MB`;
console.log(`\nmemory after a full collection, with the runtime of the run still alive:`);
console.log(`  before training:    ${show(base)}`);
console.log(`  after  1 000 steps: ${show(after1k)}`);
console.log(`  after 10 000 steps: ${show(after10k)}   (growth from 1 000: ${((after10k.heap + after10k.external - after1k.heap - after1k.external) / 1024).toFixed(1)} KiB)`);

// Bytes per step: the stream driven one batch at a time.
const runtime = createRuntime(graph, { inputs, params });
const opt = sgd({ lr: LR });
const batch$ = new Subject<Batch>();
const sub = trainStream(runtime, opt, batch$, opt.init(params)).subscribe();
let step = 0;
const next = () => batch$.next({ step: step, epoch: step++, inputs });
for (let i = 0; i < 200; i++) next();
const { bytesPerStep, windowsKept } = await allocationPerStep(next, { stepsPerWindow: 20 });
const gradBytes = graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1] * 8, 0);
console.log(`  allocation per stream step: ${Math.round(bytesPerStep).toLocaleString("en")} bytes (median of ${windowsKept} windows without a collection): the step record, the optimizer's new state and the ${gradBytes} bytes of gradients it keeps; the runtime's own buffers are reused`);
sub.unsubscribe();
runtime.dispose();
console.log(`\nload average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`);
