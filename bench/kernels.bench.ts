/**
 * `npm run bench:kernels`: the matrix products of one 784→128→10 step at m = 64 (and larger ones), on the
 * native kernel (native/gemm.cc, where it was built: each of the instruction sets this CPU runs), the
 * WebAssembly SIMD kernel and the plain-JS one, in the same interleaved batches: ms per product and GFLOP/s
 * (2 per multiply-add), everything a call does included (the WebAssembly kernel's copies in and out, the
 * native call and packing). Then the small products around the size where the default leaves the naive
 * loop. The micro-benchmark behind the choice of kernels in src/tensor/kernels.ts.
 *
 * @example
 * npm run bench:kernels
 */
import { loadavg } from "node:os";
import { type KernelChoice, autoKernel, matmul, matmulNT, matmulTN, useKernel } from "../src/tensor/kernels.ts";
import { nativeAddon, loadNativeKernel } from "../src/node/nativeKernel.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import { createRng } from "../src/data/random.ts";
import { timeInterleaved } from "./timeInterleaved.ts";

const rng = createRng(7);
const random = (rows: number, cols: number): Tensor => {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return tensor(rows, cols, data);
};
const [W1, X, dZ1, W2, A1, dZ2] = [random(128, 784), random(784, 64), random(128, 64), random(10, 128), random(128, 64), random(10, 64)];
const [Xbig, P, Q, R, S] = [random(784, 1024), random(512, 512), random(512, 512), random(1024, 1024), random(1024, 1024)];

const products: { name: string; macs: number; run: () => unknown }[] = [
  { name: "Z1 = W1·X      128×784·784×64", macs: 128 * 784 * 64, run: () => matmul(W1, X) },
  { name: "dW1 = dZ1·Xᵀ   128×64·64×784", macs: 128 * 64 * 784, run: () => matmulNT(dZ1, X) },
  { name: "dX = W1ᵀ·dZ1   784×128·128×64", macs: 784 * 128 * 64, run: () => matmulTN(W1, dZ1) },
  { name: "Z2 = W2·A1     10×128·128×64", macs: 10 * 128 * 64, run: () => matmul(W2, A1) },
  { name: "dW2 = dZ2·A1ᵀ  10×64·64×128", macs: 10 * 64 * 128, run: () => matmulNT(dZ2, A1) },
  { name: "dA1 = W2ᵀ·dZ2  128×10·10×64", macs: 128 * 10 * 64, run: () => matmulTN(W2, dZ2) },
  { name: "W1·X at m = 1024", macs: 128 * 784 * 1024, run: () => matmul(W1, Xbig) },
  { name: "512×512·512×512", macs: 512 ** 3, run: () => matmul(P, Q) },
  { name: "1024×1024·1024×1024", macs: 1024 ** 3, run: () => matmul(R, S) },
];

const { native, reason } = loadNativeKernel({});
const addon = nativeAddon().addon;
const simd = useKernel("simd") === "simd";
/** The columns: each instruction set of the native kernel this CPU runs (widest first), then wasm and JS. */
const isas = addon ? [...new Set(["avx512", "avx2", "sse2"].map((isa) => addon.useIsa(isa)))] : [];
addon?.useIsa(native!);
const columns: { name: string; select: () => void }[] = [
  ...isas.map((isa) => ({ name: isa, select: () => (addon!.useIsa(isa), useKernel("native")) })),
  { name: "wasm", select: () => useKernel("simd") },
  { name: "JS", select: () => useKernel("js") },
];
const load0 = loadavg()[0];
console.log(`matrix products, float64; native kernel: ${native ? `${isas.join(", ")} (${native} by default)` : `not available (${reason})`}; WebAssembly SIMD ${simd ? "available" : "NOT available (its column is plain JS)"}; load average ${load0.toFixed(2)}`);
console.log(`${"".padEnd(32)}${columns.map((c) => `${`${c.name} ms`.padStart(11)} ${"GFLOP/s".padStart(7)}`).join(" ")}   ${"wasm/native".padStart(11)}`);
for (const p of products) {
  const t = timeInterleaved(
    Object.fromEntries(columns.map((c) => [c.name, () => (c.select(), p.run())])),
    { batches: 7, budgetMs: p.macs > 1e7 ? 4000 : 1200, warmupMs: 200 },
  );
  const gflops = (ms: number) => ((2 * p.macs) / ms / 1e6).toFixed(1);
  const cells = columns.map((c) => `${t[c.name].median.toFixed(3).padStart(11)} ${gflops(t[c.name].median).padStart(7)}`).join(" ");
  const speedup = native ? `${(t.wasm.median / t[native].median).toFixed(2)}×`.padStart(11) : "";
  console.log(`${p.name.padEnd(32)}${cells}   ${speedup}`);
}
addon?.useIsa(native!);

// Small products: where the default ("auto") leaves the naive loop for a kernel (src/tensor/kernels.ts).
const small: [number, number, number][] = [[4, 2, 400], [4, 400, 2], [1, 4, 400], [8, 8, 8], [8, 8, 32], [16, 16, 16], [10, 10, 64], [16, 32, 32], [32, 32, 32], [64, 64, 64]];
const smallKernels: KernelChoice[] = native ? ["naive", "native", "simd", "js"] : ["naive", "simd", "js"];
console.log(`\nsmall products A·B, µs per product (median of 7 interleaved batches)`);
console.log(`${"a×k·k×b".padEnd(20)} ${"multiply-adds".padStart(13)}${smallKernels.map((k) => (k === "simd" ? "wasm" : k).padStart(10)).join("")}   auto picks`);
for (const [a, k, b] of small) {
  const [A, B, C] = [random(a, k), random(k, b), tensor(a, b)];
  const t = timeInterleaved(Object.fromEntries(smallKernels.map((kind) => [kind, () => (useKernel(kind), matmul(A, B, C))])), { batches: 7, budgetMs: 600, warmupMs: 50 });
  useKernel("auto");
  const picks = autoKernel(a, k, b);
  console.log(`${`${a}×${k}·${k}×${b}`.padEnd(20)} ${String(a * k * b).padStart(13)}${smallKernels.map((kind) => (t[kind].median * 1000).toFixed(2).padStart(10)).join("")}   ${picks === "simd" ? "wasm" : picks}`);
}
useKernel("auto");
console.log(`\nload average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (2 cores)`);
