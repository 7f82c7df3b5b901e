import { matmul, matmulNT, matmulTN, transpose } from "/work/main/src/tensor/kernels.ts";
import { tensor } from "/work/main/src/tensor/tensor.ts";
import { timeSteps } from "/work/main/bench/timeSteps.ts";
const rnd = (r: number, c: number) => { const d = new Float64Array(r * c); for (let i = 0; i < d.length; i++) d[i] = Math.random() - 0.5; return tensor(r, c, d); };
const W1 = rnd(128, 784), X = rnd(784, 64), dZ1 = rnd(128, 64), W2 = rnd(10,128), A1 = rnd(128,64), dZ2 = rnd(10,64);
const o = { batches: 5, budgetMs: 800, warmupMs: 300 };
for (const [n, f] of [
  ["fwd W1·X", () => matmul(W1, X)],
  ["dW1 dZ1·Xᵀ", () => matmulNT(dZ1, X)],
  ["dX W1ᵀ·dZ1", () => matmulTN(W1, dZ1)],
  ["transpose X", () => transpose(X)],
  ["fwd W2·A1", () => matmul(W2, A1)],
  ["dW2", () => matmulNT(dZ2, A1)],
  ["dA1", () => matmulTN(W2, dZ2)],
] as const) console.log(n.padEnd(14), timeSteps(f as () => void, o).median.toFixed(3));
