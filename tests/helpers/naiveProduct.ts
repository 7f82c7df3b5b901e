/**
 * The reference of the matrix-kernel tests: a naive triple loop written here, the three forms of product
 * with operands of any shape, and seeded random operands.
 *
 * @example
 * const [A, B] = forms[0].operands(3, 4, 5);
 * firstMismatch(matmul(A, B), A, false, B, false, true); // undefined: the same bits as the naive loop
 */
import { matmul, matmulNT, matmulTN } from "../../src/tensor/kernels.ts";
import { type Tensor, tensor } from "../../src/tensor/tensor.ts";
import { createRng } from "../../src/data/random.ts";

const rng = createRng(20240611);
export const random = (rows: number, cols: number): Tensor => {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return tensor(rows, cols, data);
};

/** The element of a row-major matrix, read as stored or as its transpose. */
export const at = (t: Tensor, i: number, j: number, transposed: boolean) => (transposed ? t.data[j * t.shape[1] + i] : t.data[i * t.shape[1] + j]);

/**
 * The first entry where `C` differs from op(A)·op(B) by more than the dot-product rounding bound, as a
 * message, or undefined when all are within it; with `exact`, the first entry whose bits differ from the
 * naive loop's.
 */
export function firstMismatch(C: Tensor, A: Tensor, transA: boolean, B: Tensor, transB: boolean, exact = false): string | undefined {
  const a = transA ? A.shape[1] : A.shape[0];
  const k = transA ? A.shape[0] : A.shape[1];
  const b = transB ? B.shape[0] : B.shape[1];
  if (C.shape[0] !== a || C.shape[1] !== b) return `shape [${C.shape}], expected [${a},${b}]`;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      let sum = 0, magnitude = 0;
      for (let p = 0; p < k; p++) {
        const term = at(A, i, p, transA) * at(B, p, j, transB);
        sum += term;
        magnitude += Math.abs(term);
      }
      const got = C.data[i * b + j];
      if (Object.is(got, sum) || (Number.isNaN(got) && Number.isNaN(sum))) continue; // also ±Infinity, NaN
      if (exact) return `C[${i}][${j}] = ${got}, naive loop gives ${sum} (bits differ)`;
      if (!(Math.abs(got - sum) <= k * Number.EPSILON * magnitude)) return `C[${i}][${j}] = ${got}, naive loop gives ${sum}`;
    }
  }
  return undefined;
}

export const forms = [
  { name: "matmul A·B", transA: false, transB: false, run: matmul, operands: (a: number, k: number, b: number) => [random(a, k), random(k, b)] },
  { name: "matmulNT A·Bᵀ", transA: false, transB: true, run: matmulNT, operands: (a: number, k: number, b: number) => [random(a, k), random(b, k)] },
  { name: "matmulTN Aᵀ·B", transA: true, transB: false, run: matmulTN, operands: (a: number, k: number, b: number) => [random(k, a), random(k, b)] },
] as const;

