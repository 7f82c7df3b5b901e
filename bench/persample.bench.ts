/**
 * `npm run bench:persample`: all m per-sample gradients of the 784 → 128 → 10 classifier
 * (graphs/mnist-softmax.yaml, 101,770 params) three ways, at m = 64 and m = 1024:
 *
 * - one batch backward: forward + backward of the batch, the param gradients dJ/dθ only (the baseline),
 *   with gradstream's default kernels (WebAssembly SIMD where available) and with the plain-JS kernels;
 * - vectorised: `perSampleGradsVectorised` (one forward, one backward to dJ/dZ, then dWᵢ = dZᵢ·xᵢᵀ per
 *   sample), default chunk size (1 MiB of gradients: one sample here), buffers reused (`reuseBuffers`),
 *   every chunk consumed; also with chunks of 16, with a fresh buffer per chunk (the library's default),
 *   and with a consumer that reads every gradient (its squared norm);
 * - by slicing: `perSampleGradsBySlicing` (m forward + backward passes at m = 1), reused buffers.
 *
 * The vectorised method must write m × 101,770 numbers whatever it does; the batch backward computes
 * about twice as many multiply-adds but in cache-blocked (SIMD) kernels, so the ratio mostly measures
 * plain-JS store bandwidth against the matrix kernels.
 *
 * Times are medians of several repetitions after a warm-up. Memory: with the collector exposed, the
 * process is collected (twice, with a pause for V8's background sweeper) before each measured run, and
 * `process.memoryUsage()` is sampled after every chunk; the figure is the peak of heapUsed + arrayBuffers
 * (Float64Array storage lives in arrayBuffers) above the level before the run. It is sampled, so it misses
 * allocations freed between samples (the batch backward is sampled once, at its end), and it includes the
 * batch's own forward values, dJ/dZ and the matrix kernels' copies of their operands, which grow with m
 * (784 × 1024 floats of X are 6.4 MB), and garbage not yet collected. Set it against the m × 101,770 floats that materialising every
 * per-sample gradient would take.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../src/node/loadGraph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import { backward, forward } from "../src/graph/evaluate.ts";
import { useSimdKernels } from "../src/tensor/kernels.ts";
import type { Graph } from "../src/graph/graph.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import type { PerSampleChunk } from "../src/verify/perSampleChunk.ts";
import { perSampleGradsVectorised } from "../src/verify/perSampleVectorised.ts";
import { perSampleGradsBySlicing } from "../src/verify/perSampleBySlicing.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MB = 1024 * 1024;
const graph = await loadGraph(fileURLToPath(new URL("../graphs/mnist-softmax.yaml", import.meta.url)));
const params = graph.params.map((p) => p.id);
const entries = graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1], 0);

/** Median wall time in ms of `reps` runs after one warm-up. */
function time(reps: number, run: () => void): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const used = () => {
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
};

/** Consumes a stream of chunks; `norms` also reads every per-sample gradient (its squared norm). */
function consume(chunks: Iterable<PerSampleChunk>, onChunk: () => void = () => {}, norms = false): number {
  let acc = 0;
  for (const chunk of chunks) {
    if (norms) for (const g of chunk.grads.values()) for (let i = 0; i < g.length; i++) acc += g[i] * g[i];
    else acc += chunk.count;
    onChunk();
  }
  return acc;
}

/** Peak memory growth (bytes) while the run streams its chunks. */
async function peakGrowth(run: (onChunk: () => void) => void): Promise<number> {
  // Collect twice with a pause: V8 frees ArrayBuffer storage on a background sweeper, and storage freed
  // during the run would otherwise be subtracted from the run's own allocations.
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  const base = used();
  let peak = 0;
  run(() => (peak = Math.max(peak, used() - base)));
  return peak;
}

function batchBackward(g: Graph, values: ReadonlyMap<string, Tensor>): void {
  backward(g, forward(g, values), params);
}

const rows: string[][] = [];
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
console.log(`per-sample gradients of ${graph.name} (${entries.toLocaleString("en")} params), Node ${process.version}\n`);
for (const m of [64, 1024]) {
  const { values } = randomBindings(graph, m, 1);
  const reps = m === 64 ? 15 : 5;
  const batch = time(reps, () => batchBackward(graph, values));
  useSimdKernels(false);
  const batchJs = time(reps, () => batchBackward(graph, values));
  useSimdKernels(true);
  const reuse = { reuseBuffers: true };
  const vectorised = time(reps, () => consume(perSampleGradsVectorised(graph, values, reuse)));
  const vectorised16 = time(reps, () => consume(perSampleGradsVectorised(graph, values, { ...reuse, chunkSize: 16 })));
  const vectorisedFresh = time(reps, () => consume(perSampleGradsVectorised(graph, values)));
  const vectorisedNorms = time(reps, () => consume(perSampleGradsVectorised(graph, values, reuse), undefined, true));
  const slicing = time(m === 64 ? 5 : 3, () => consume(perSampleGradsBySlicing(graph, values, reuse)));
  const memVec = await peakGrowth((onChunk) => consume(perSampleGradsVectorised(graph, values, reuse), onChunk));
  const memVec16 = await peakGrowth((onChunk) => consume(perSampleGradsVectorised(graph, values, { ...reuse, chunkSize: 16 }), onChunk));
  const memFresh = await peakGrowth((onChunk) => consume(perSampleGradsVectorised(graph, values), onChunk));
  const memSli = await peakGrowth((onChunk) => consume(perSampleGradsBySlicing(graph, values, reuse), onChunk));
  const memBatch = await peakGrowth((onChunk) => (batchBackward(graph, values), onChunk()));
  const row = (method: string, ms: number, mem?: number) => rows.push([String(m), method, fmt(ms), (ms / batch).toFixed(2), mem === undefined ? "" : (mem / MB).toFixed(1)]);
  row("one batch backward", batch, memBatch);
  row("one batch backward, plain-JS kernels", batchJs);
  row("vectorised (default chunk, reused buffers)", vectorised, memVec);
  row("vectorised (chunk 16, reused buffers)", vectorised16, memVec16);
  row("vectorised (default chunk, fresh buffers)", vectorisedFresh, memFresh);
  row("vectorised + reading every gradient", vectorisedNorms);
  row("by slicing (default chunk, reused buffers)", slicing, memSli);
  rows.push([String(m), `(all m materialised: m × ${entries} floats)`, "", "", ((m * entries * 8) / MB).toFixed(1)]);
}
const header = ["m", "method", "ms (median)", "× batch", "peak MB"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const row of [header, ...rows]) console.log(row.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));

console.log("\nvectorised at m = 1024 with reused buffers, peak memory growth by chunk size (bounded by the chunk, not by m):");
const { values: big } = randomBindings(graph, 1024, 1);
for (const chunkSize of [1, 4, 16, 64, 256]) {
  const peak = await peakGrowth((onChunk) => consume(perSampleGradsVectorised(graph, big, { chunkSize, reuseBuffers: true }), onChunk));
  const oneChunk = (chunkSize * entries * 8) / MB;
  console.log(`  chunk ${String(chunkSize).padStart(3)}: peak ${(peak / MB).toFixed(1).padStart(6)} MB   (one chunk of gradients: ${oneChunk.toFixed(1)} MB)`);
}
