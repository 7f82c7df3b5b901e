import { matmul, matmulNT, transpose } from "../src/tensor/kernels.ts";
import { tensor } from "../src/tensor/tensor.ts";
import { timeSteps } from "./timeSteps.ts";
const rnd = (r: number, c: number) => { const d = new Float64Array(r * c); for (let i = 0; i < d.length; i++) d[i] = Math.random() - 0.5; return tensor(r, c, d); };
const W1 = rnd(128, 784), X = rnd(784, 64); const Xt = transpose(X);
const o = { batches: 5, budgetMs: 800, warmupMs: 300 };
console.log("NT given", timeSteps(() => matmulNT(W1, Xt), o).median.toFixed(3));
console.log("matmul", timeSteps(() => matmul(W1, X), o).median.toFixed(3));
console.log("NT given", timeSteps(() => matmulNT(W1, Xt), o).median.toFixed(3));
