/**
 * `npm run bench:kernels`: the matrix products of one 784→128→10 step at m = 64 (and two large ones), on
 * the WebAssembly SIMD kernel and on the plain-JS one, in the same run: ms per product and GFLOP/s
 * (2 per multiply-add), operands copied in and the result copied out included. The micro-benchmark behind
 * the choice of kernels in src/tensor/kernels.ts.
 *
 * @example
 * npm run bench:kernels
 */
import { matmul, matmulNT, matmulTN, useKernel } from "../src/tensor/kernels.ts";
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
const [Xbig, P, Q] = [random(784, 1024), random(512, 512), random(512, 512)];

const products: { name: string; macs: number; run: () => unknown }[] = [
  { name: "Z1 = W1·X      128×784·784×64", macs: 128 * 784 * 64, run: () => matmul(W1, X) },
  { name: "dW1 = dZ1·Xᵀ   128×64·64×784", macs: 128 * 64 * 784, run: () => matmulNT(dZ1, X) },
  { name: "dX = W1ᵀ·dZ1   784×128·128×64", macs: 784 * 128 * 64, run: () => matmulTN(W1, dZ1) },
  { name: "Z2 = W2·A1     10×128·128×64", macs: 10 * 128 * 64, run: () => matmul(W2, A1) },
  { name: "dW2 = dZ2·A1ᵀ  10×64·64×128", macs: 10 * 64 * 128, run: () => matmulNT(dZ2, A1) },
  { name: "dA1 = W2ᵀ·dZ2  128×10·10×64", macs: 128 * 10 * 64, run: () => matmulTN(W2, dZ2) },
  { name: "W1·X at m = 1024", macs: 128 * 784 * 1024, run: () => matmul(W1, Xbig) },
  { name: "512×512·512×512", macs: 512 ** 3, run: () => matmul(P, Q) },
];

const simd = useKernel("simd") === "simd";
console.log(`matrix products of one mnist-softmax step (m = 64), float64; WebAssembly SIMD ${simd ? "available" : "NOT available: both columns are plain JS"}`);
console.log(`${"".padEnd(32)} ${"SIMD ms".padStart(9)} ${"GFLOP/s".padStart(7)} ${"JS ms".padStart(9)} ${"GFLOP/s".padStart(7)} ${"JS/SIMD".padStart(8)}`);
for (const p of products) {
  const t = timeInterleaved(
    {
      simd: () => (useKernel("simd"), p.run()),
      js: () => (useKernel("js"), p.run()),
    },
    { batches: 7, budgetMs: p.macs > 1e7 ? 4000 : 1200, warmupMs: 200 },
  );
  const gflops = (ms: number) => ((2 * p.macs) / ms / 1e6).toFixed(1);
  console.log(
    `${p.name.padEnd(32)} ${t.simd.median.toFixed(3).padStart(9)} ${gflops(t.simd.median).padStart(7)} ${t.js.median.toFixed(3).padStart(9)} ${gflops(t.js.median).padStart(7)} ${(t.js.median / t.simd.median).toFixed(1).padStart(7)}×`,
  );
}
useKernel("auto");
