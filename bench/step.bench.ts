/**
 * `npm run bench`: one forward+backward step of a dense network through gradstream's reactive runtime
 * (bench/runtimeStep.ts: the loss and the params' gradients observed, one transaction per step), against
 *
 * - numpy float64 on one BLAS thread (bench/numpyWorker.py, a persistent worker that times its own steps;
 *   skipped, with a note, where python3 or numpy is missing), over m = 1 … 4096 for graphs/mnist-softmax.yaml
 *   (784 → 128 relu → 10, softmax cross-entropy) and for 784 → 512 → 512 → 10 at m = 256, with numpy's own
 *   DGEMM rate on a 1024³ product as the roof of what one core does in float64;
 * - the same numpy on x86-64 with OpenBLAS told to use its kernels for 128-bit vectors without fused
 *   multiply-add (OPENBLAS_CORETYPE=Nehalem: SSE, the instruction class WebAssembly SIMD offers), so the
 *   part of the ratio that is the instruction set is printed beside the rest: its own table, and its DGEMM
 *   rate beside the roof;
 * - @tensorflow/tfjs on its cpu backend (float32, its only dtype) at m = 64.
 *
 * gradstream's side runs on each of its matrix kernels in the same rounds: the default (the native kernel
 * on AVX-512/AVX2 where it was built, src/node/nativeKernel.ts) and the WebAssembly SIMD one, one row each;
 * GRADSTREAM_KERNEL=native|wasm|js runs only that one.
 *
 * Against numpy, each side's figure is CPU time (process.cpuUsage here, time.process_time in python): on a
 * shared machine a batch of steps may wait for a core, and wall time would count the wait. Batches are
 * taken in interleaved rounds (gradstream, numpy, gradstream, numpy, … for every case), so a slow spell
 * falls on both; ms/step are the median rounds, the ratio is the median of the rounds' ratios. Before
 * timing, both are checked to compute the same thing on the same numbers. Also printed: the bytes one step
 * allocates (only the gradients the observer keeps should be new each step).
 *
 * @example
 * npm run bench
 */
import { loadavg } from "node:os";
import { type KernelChoice, kernelInUse, matmul, nativeIsa, useKernel } from "../src/tensor/kernels.ts";
import { loadNativeKernel } from "../src/node/nativeKernel.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import { createRng } from "../src/data/random.ts";
import { timeInterleaved } from "./timeInterleaved.ts";
import { createTfjsStep } from "./tfjsStep.ts";
import { startNumpy } from "./numpyPeer.ts";
import { type RuntimeStep, runtimeStep } from "./runtimeStep.ts";
import { allocationPerStep } from "./memoryProbe.ts";

const SEED = 1;
const ROUNDS = 9;
/** Time of one timed batch of steps, per side, ms. */
const BATCH_MS = 100;
const MNIST = [784, 128, 10];
const CASES: { sizes: number[]; m: number; target?: number }[] = [
  { sizes: MNIST, m: 1 },
  { sizes: MNIST, m: 16, target: 3 },
  { sizes: MNIST, m: 64, target: 2.5 },
  { sizes: MNIST, m: 256, target: 3 },
  { sizes: MNIST, m: 1024, target: 3 },
  { sizes: MNIST, m: 4096, target: 3 },
  { sizes: [784, 512, 512, 10], m: 256, target: 3 },
];

const loaded = loadNativeKernel();
const forced = kernelInUse();
const simd = useKernel("simd") === "simd";
useKernel(forced);
/** The kernels timed, each a row: the default and, unless one is forced, the WebAssembly one beside it. */
const KERNELS: { label: string; choice: KernelChoice }[] =
  forced !== "auto"
    ? [{ label: forced === "native" ? `native ${nativeIsa()}` : forced === "simd" ? "wasm" : forced, choice: forced }]
    : loaded.native
      ? [{ label: `native ${loaded.native}`, choice: "auto" }, { label: "wasm", choice: "simd" }]
      : [{ label: simd ? "wasm" : "js", choice: "auto" }];
const DEFAULT = KERNELS[0].label;
const useRow = (label: string) => useKernel(KERNELS.find((k) => k.label === label)!.choice);
const load0 = loadavg()[0];
console.log(
  `gradstream kernels: ${loaded.native ? `native (${loaded.native}), ` : `no native kernel (${loaded.reason ?? "forced off"}), `}` +
    `${simd ? "WebAssembly SIMD (f64x2)" : "plain JS (no WebAssembly SIMD here)"}${forced !== "auto" ? `; GRADSTREAM_KERNEL forces ${DEFAULT}` : ""}; node ${process.version}; load average ${load0.toFixed(2)} at the start`,
);

// ---- numpy ------------------------------------------------------------------------------------------
const numpy = await startNumpy();
if (typeof numpy === "string") console.log(`numpy: not compared (${numpy})`);
else console.log(`numpy ${numpy.version} (${numpy.blas}${numpy.core ? `, ${numpy.core} kernels` : ""}), one BLAS thread, a persistent worker timing its own steps`);
/** OpenBLAS's kernel family for SSE (128-bit vectors, no FMA): what WebAssembly SIMD's f64x2 can express. */
const SSE_CORE = "Nehalem";
const numpySse = typeof numpy === "string" ? "numpy is not compared" : process.arch !== "x64" ? "not an x86-64 machine" : await startNumpy({ coreType: SSE_CORE });
if (typeof numpy !== "string") {
  if (typeof numpySse === "string") console.log(`numpy with 128-bit kernels: not compared (${numpySse})`);
  else if (numpySse.core !== undefined && numpySse.core !== SSE_CORE) {
    console.log(`numpy with 128-bit kernels: not compared (OpenBLAS runs ${numpySse.core} kernels, not ${SSE_CORE})`);
    numpySse.close();
  }
}
const sse = typeof numpySse !== "string" && (numpySse.core === undefined || numpySse.core === SSE_CORE) ? numpySse : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const key = (c: { sizes: number[]; m: number }) => `${c.sizes.join("-")}@${c.m}`;
const rows = (t: Tensor): number[][] => Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])));

/** Steps that take about BATCH_MS, from a warm-up of at least `ms`. */
function calibrate(step: () => void, ms = 300): number {
  let n = 0;
  const t0 = performance.now();
  while (n < 3 || performance.now() - t0 < ms) step(), n++;
  return Math.max(1, Math.round(BATCH_MS / ((performance.now() - t0) / n)));
}

// Each case two ways: the observer keeps the gradients (the default: each step's are new tensors), or only
// borrows them (`{ borrow: true }`, read in the callback: the runtime reuses their buffers).
const nets = new Map<string, RuntimeStep>(), borrowingNets = new Map<string, RuntimeStep>();
for (const c of CASES) {
  nets.set(key(c), await runtimeStep(c.sizes, c.m, SEED));
  borrowingNets.set(key(c), await runtimeStep(c.sizes, c.m, SEED, { borrow: true }));
}

// Same numbers, same computation: at m = 64 numpy is handed gradstream's data and must agree to rounding.
let checked = "";
if (typeof numpy !== "string") {
  const net = nets.get(key({ sizes: MNIST, m: 64 }))!;
  const data: Record<string, number[][]> = {};
  for (const [id, t] of net.values) data[id] = rows(t);
  await numpy.setup("check", MNIST, 64, SEED, data);
  net.step();
  const theirs = await numpy.grads("check");
  let worst = Math.abs(theirs.J - net.last.J) / Math.abs(net.last.J);
  for (let l = 1; l < MNIST.length; l++) {
    for (const [id, flat] of [[`W${l}`, theirs.dW[l - 1]], [`b${l}`, theirs.db[l - 1]]] as const) {
      const mine = net.last.grads[id].data;
      let num = 0, den = 0;
      for (let i = 0; i < mine.length; i++) (num = Math.max(num, Math.abs(mine[i] - flat[i]))), (den = Math.max(den, Math.abs(mine[i])));
      worst = Math.max(worst, num / den);
    }
  }
  checked = `check: J and every param gradient agree with numpy's on the same data to ${worst.toExponential(1)} (largest difference / largest entry)`;
  if (!(worst < 1e-12)) {
    checked = `check: FAILED — gradstream and numpy differ by ${worst.toExponential(1)}`;
    process.exitCode = 1;
  }
}

// ---- timing: interleaved rounds over every case ------------------------------------------------------------
// ours/borrowing: per case, per kernel row, ms/step of each round.
const ours = new Map<string, Map<string, number[]>>(), borrowing = new Map<string, Map<string, number[]>>();
const theirs = new Map<string, number[]>(), theirsSse = new Map<string, number[]>();
const ourSteps = new Map<string, number>(), theirSteps = new Map<string, number>(), sseSteps = new Map<string, number>();
for (const c of CASES) {
  const net = nets.get(key(c))!;
  for (const { label } of KERNELS) {
    useRow(label);
    const n = calibrate(net.step);
    if (label === DEFAULT) ourSteps.set(key(c), n);
    calibrate(borrowingNets.get(key(c))!.step);
  }
  useRow(DEFAULT);
  ours.set(key(c), new Map(KERNELS.map((k) => [k.label, []])));
  borrowing.set(key(c), new Map(KERNELS.map((k) => [k.label, []])));
  if (typeof numpy !== "string") {
    await numpy.setup(key(c), c.sizes, c.m, SEED);
    const probe = Math.max(1, Math.round(ourSteps.get(key(c))! / 2));
    const s = await numpy.time(key(c), probe);
    theirSteps.set(key(c), Math.max(1, Math.round(BATCH_MS / ((s * 1000) / probe))));
    theirs.set(key(c), []);
  }
  if (sse) {
    await sse.setup(key(c), c.sizes, c.m, SEED);
    const probe = Math.max(1, Math.round(ourSteps.get(key(c))! / 2));
    const s = await sse.time(key(c), probe);
    sseSteps.set(key(c), Math.max(1, Math.round(BATCH_MS / ((s * 1000) / probe))));
    theirsSse.set(key(c), []);
  }
}
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CASES) {
    const k = key(c), n = ourSteps.get(k)!;
    for (const { label } of KERNELS) {
      useRow(label);
      for (const [net, times] of [[nets.get(k)!, ours.get(k)!.get(label)!], [borrowingNets.get(k)!, borrowing.get(k)!.get(label)!]] as const) {
        const cpu0 = process.cpuUsage();
        for (let s = 0; s < n; s++) net.step();
        const cpu = process.cpuUsage(cpu0);
        times.push((cpu.user + cpu.system) / 1000 / n);
      }
    }
    useRow(DEFAULT);
    if (typeof numpy !== "string") theirs.get(k)!.push(((await numpy.time(k, theirSteps.get(k)!)) * 1000) / theirSteps.get(k)!);
    if (sse) theirsSse.get(k)!.push(((await sse.time(k, sseSteps.get(k)!)) * 1000) / sseSteps.get(k)!);
  }
}

// The roof: numpy's DGEMM on one thread, and gradstream's kernel on the same product, in turns.
const N = 1024;
const rng = createRng(3);
const square = () => tensor(N, N, Float64Array.from({ length: N * N }, () => rng.normal()));
const [P, Q] = [square(), square()];
const product = tensor(N, N);
const ourGemm = new Map<string, number[]>(KERNELS.map((k) => [k.label, []])), theirGemm: number[] = [], sseGemm: number[] = [];
const gemmFlops = 2 * N ** 3;
for (const { label } of KERNELS) useRow(label), matmul(P, Q, product);
for (let round = 0; round < 3; round++) {
  for (const { label } of KERNELS) {
    useRow(label);
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < 2; r++) matmul(P, Q, product);
    const cpu = process.cpuUsage(cpu0);
    ourGemm.get(label)!.push((cpu.user + cpu.system) / 1000 / 2);
  }
  useRow(DEFAULT);
  if (typeof numpy !== "string") theirGemm.push(((await numpy.gemm(N, 5)) * 1000) / 5);
  if (sse) sseGemm.push(((await sse.gemm(N, 2)) * 1000) / 2);
}

// ---- report --------------------------------------------------------------------------------------------
const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);
console.log(`\none forward+backward step (gradients of every param), float64, CPU time, ${ROUNDS} interleaved rounds`);
console.log(`gradstream with the gradients kept by the observer (a new tensor each step), and borrowed ({ borrow: true });`);
console.log(`one row per matrix kernel, timed in the same rounds (the first is the default; targets are marked on it)`);
console.log(`${"".padEnd(23)}   ${"".padEnd(13)}   ${"gradients kept".padEnd(23)}   ${"gradients borrowed".padEnd(23)}   numpy`);
console.log(`${"network".padEnd(17)} ${"m".padStart(5)}   ${"kernel".padEnd(13)}   ${"ms".padStart(8)} ${"GFLOP/s".padStart(7)} ${"ratio".padStart(6)}   ${"ms".padStart(8)} ${"GFLOP/s".padStart(7)} ${"ratio".padStart(6)}   ${"ms".padStart(8)} ${"GFLOP/s".padStart(7)}  target`);
let met = true;
for (const c of CASES) {
  const k = key(c), net = nets.get(k)!;
  const cells = (times: number[]) => {
    const ms = median(times);
    if (typeof numpy === "string") return `${ms.toFixed(3).padStart(8)} ${gflops(net.flops, ms).padStart(7)} ${"".padStart(6)}`;
    const ratio = median(times.map((t, r) => t / theirs.get(k)![r]));
    return `${ms.toFixed(3).padStart(8)} ${gflops(net.flops, ms).padStart(7)} ${`${ratio.toFixed(2)}×`.padStart(6)}`;
  };
  for (const [row, { label }] of KERNELS.entries()) {
    const first = row === 0 ? `${c.sizes.join("→").padEnd(17)} ${String(c.m).padStart(5)}` : "".padEnd(23);
    const line = `${first}   ${label.padEnd(13)}   ${cells(ours.get(k)!.get(label)!)}   ${cells(borrowing.get(k)!.get(label)!)}`;
    if (typeof numpy === "string") {
      console.log(line);
      continue;
    }
    if (row > 0) {
      console.log(line);
      continue;
    }
    const peer = median(theirs.get(k)!);
    const ratios = [ours.get(k)!.get(label)!, borrowing.get(k)!.get(label)!].map((times) => median(times.map((t, r) => t / theirs.get(k)![r])));
    if (c.target !== undefined && ratios.some((r) => r > c.target!)) met = false;
    const mark = c.target === undefined ? "" : `≤ ${c.target}× ${ratios.map((r) => (r <= c.target! ? "✓" : "✗")).join("")}`;
    console.log(`${line}   ${peer.toFixed(3).padStart(8)} ${gflops(net.flops, peer).padStart(7)}  ${mark}`);
  }
}
if (sse) {
  console.log(`\nthe same steps against numpy with OpenBLAS's ${SSE_CORE} kernels (128-bit vectors, no fused multiply-add:`);
  console.log(`what WebAssembly SIMD's f64x2 can express), same rounds; for the wasm row, the part of the ratio above that is not the instruction set`);
  console.log(`${"network".padEnd(17)} ${"m".padStart(5)}   ${"ms".padStart(8)} ${"GFLOP/s".padStart(7)}   ${KERNELS.map((kr) => `${kr.label}: kept, borrowed`.padStart(30)).join("")}`);
  for (const c of CASES) {
    const k = key(c), times = theirsSse.get(k)!;
    const ratio = (mine: number[]) => `${median(mine.map((t, r) => t / times[r])).toFixed(2)}×`;
    const cols = KERNELS.map(({ label }) => `${ratio(ours.get(k)!.get(label)!)}, ${ratio(borrowing.get(k)!.get(label)!)}`.padStart(30)).join("");
    console.log(`${c.sizes.join("→").padEnd(17)} ${String(c.m).padStart(5)}   ${median(times).toFixed(3).padStart(8)} ${gflops(nets.get(k)!.flops, median(times)).padStart(7)}   ${cols}`);
  }
}
const gemmLine = `\n1024³ matrix product: gradstream ${KERNELS.map(({ label }) => `${label} ${gflops(gemmFlops, median(ourGemm.get(label)!))}`).join(", ")} GFLOP/s`;
const sseGemmLine = sse ? `; numpy with OpenBLAS's ${SSE_CORE} kernels (128-bit, no FMA) ${gflops(gemmFlops, median(sseGemm))} GFLOP/s` : "";
console.log(typeof numpy === "string" ? gemmLine : `${gemmLine}; numpy DGEMM ${gflops(gemmFlops, median(theirGemm))} GFLOP/s (the roof: one core, float64)${sseGemmLine}`);
if (checked) console.log(checked);
if (typeof numpy !== "string") console.log(met ? "targets met" : "targets NOT met on this run (see ✗)");
if (typeof numpy !== "string") numpy.close();
sse?.close();

// ---- memory: what a step allocates -----------------------------------------------------------------------
const m64 = nets.get(key({ sizes: MNIST, m: 64 }))!;
const kept = await allocationPerStep(m64.step);
const borrowed = await allocationPerStep(borrowingNets.get(key({ sizes: MNIST, m: 64 }))!.step);
for (const net of borrowingNets.values()) net.dispose();
const bytes = (n: number) => Math.round(n).toLocaleString("en").padStart(9);
console.log(`\nallocation per step, 784→128→10 at m = 64 (median of windows without a collection):`);
console.log(`  gradients kept by the observer (the default): ${bytes(kept.bytesPerStep)} bytes; the gradients themselves: ${m64.gradBytes.toLocaleString("en")} bytes`);
console.log(`  gradients borrowed ({ borrow: true }):         ${bytes(borrowed.bytesPerStep)} bytes`);
for (const net of nets.values()) if (net !== m64) net.dispose();

// ---- tfjs at m = 64 ---------------------------------------------------------------------------------------
const peer = await createTfjsStep(m64.values);
const withKernel = (choice: KernelChoice) => () => {
  useKernel(choice);
  m64.step();
  useRow(DEFAULT);
};
const tf = timeInterleaved(
  {
    gradstream: m64.step,
    wasm: withKernel("simd"),
    plainJs: withKernel("js"),
    tfjs: () => peer.step(),
  },
  { batches: 9, budgetMs: 9000, warmupMs: 500 },
);
m64.step();
const lossRel = Math.abs(m64.last.J - peer.loss()) / Math.abs(m64.last.J);
peer.dispose();
console.log(`\nvs @tensorflow/tfjs ${peer.version} (cpu backend, float32), 784→128→10 at m = 64, median of 9 interleaved batches:`);
console.log(`  gradstream float64 (${DEFAULT})`.padEnd(35) + `${tf.gradstream.median.toFixed(3).padStart(7)} ms   tfjs/this ${(tf.tfjs.median / tf.gradstream.median).toFixed(1)}×`);
console.log(`  gradstream, WebAssembly kernel   ${tf.wasm.median.toFixed(3).padStart(7)} ms   tfjs/this ${(tf.tfjs.median / tf.wasm.median).toFixed(1)}×`);
console.log(`  gradstream, plain-JS kernels     ${tf.plainJs.median.toFixed(3).padStart(7)} ms   tfjs/this ${(tf.tfjs.median / tf.plainJs.median).toFixed(1)}×`);
console.log(`  tfjs cpu float32                 ${tf.tfjs.median.toFixed(3).padStart(7)} ms`);
console.log(`  same J to float32 rounding: relative difference ${lossRel.toExponential(1)}${lossRel < 1e-5 ? "" : " — FAILED"}`);
if (!(lossRel < 1e-5)) process.exitCode = 1;
m64.dispose();
console.log(`\nload average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (2 cores; ratios are what compare across runs)`);
