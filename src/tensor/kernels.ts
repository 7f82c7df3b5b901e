/**
 * The hot loops of gradstream. Matrix products run on a WebAssembly SIMD kernel where the engine has one
 * (simdGemm.ts: every form, A·B, A·Bᵀ, Aᵀ·B, without transposing A and with Bᵀ written straight into its
 * heap), else on the plain-JS kernel `gemmNT` (C = A·Bᵀ), whose operands are both read contiguously along
 * the shared dimension; the other forms transpose first (O(n²), cheap beside the O(n³) product). It
 * computes 2×4 blocks of C in 8 local accumulators, so each step loads 6 numbers for 8 multiply-adds and
 * never stores until the block is done. Both add each entry's products in order, as the naive loop does.
 */
import { type Tensor, tensor } from "./tensor.ts";
import { createSimdGemm } from "./simdGemm.ts";
import { transposeInto } from "./transposeInto.ts";

const simd = createSimdGemm();
let simdOn = simd !== undefined;

/**
 * Chooses the SIMD kernel (the default where available) or the plain-JS one, for tests and benchmarks
 * that compare the two. Returns whether SIMD is now in use (false if asked for but unavailable).
 *
 * @example
 * useSimdKernels(false); // plain JS from now on
 * useSimdKernels(true);  // back to WebAssembly SIMD, if the engine has it
 */
export function useSimdKernels(on: boolean): boolean {
  simdOn = on && simd !== undefined;
  return simdOn;
}

/**
 * C = A·Bᵀ for A `[a,k]`, B `[b,k]`: the weight gradient dW = dZ·Xᵀ without forming Xᵀ as a tensor.
 *
 * @example
 * matmulNT(fromRows([[1, 2]]), fromRows([[3, 4], [5, 6]])) // [[11, 17]]
 */
export function matmulNT(A: Tensor, B: Tensor): Tensor {
  const [a, k] = A.shape;
  const [b, k2] = B.shape;
  if (k !== k2) throw new RangeError(`matmulNT: inner sizes ${k} and ${k2} differ`);
  const fast = simdOn ? simd!.product(A.data, false, B.data, true, a, k, b) : undefined;
  return fast ? tensor(a, b, fast) : ntProduct(A, B);
}

/**
 * C = A·B for A `[a,k]`, B `[k,b]`.
 *
 * @example
 * matmul(fromRows([[1, 2]]), fromRows([[3], [4]])) // [[11]]
 */
export function matmul(A: Tensor, B: Tensor): Tensor {
  if (A.shape[1] !== B.shape[0]) throw new RangeError(`matmul: inner sizes ${A.shape[1]} and ${B.shape[0]} differ`);
  const [a, k] = A.shape, b = B.shape[1];
  const fast = simdOn ? simd!.product(A.data, false, B.data, false, a, k, b) : undefined;
  if (fast) return tensor(a, b, fast);
  if (b === 1) return ntProduct(A, { shape: [1, k], data: B.data }); // a column is its own transpose
  return ntProduct(A, transpose(B));
}

/**
 * C = Aᵀ·B for A `[k,a]`, B `[k,b]`: the input gradient dX = Wᵀ·dZ, reading W in place.
 *
 * @example
 * matmulTN(fromRows([[1, 2]]), fromRows([[3]])) // [[3], [6]]
 */
export function matmulTN(A: Tensor, B: Tensor): Tensor {
  if (A.shape[0] !== B.shape[0]) throw new RangeError(`matmulTN: inner sizes ${A.shape[0]} and ${B.shape[0]} differ`);
  const [k, a] = A.shape, b = B.shape[1];
  const fast = simdOn ? simd!.product(A.data, true, B.data, false, a, k, b) : undefined;
  if (fast) return tensor(a, b, fast);
  return ntProduct(transpose(A), transpose(B));
}

/** The plain-JS A·Bᵀ. */
function ntProduct(A: Tensor, B: Tensor): Tensor {
  const [a, k] = A.shape, b = B.shape[0];
  const C = new Float64Array(a * b);
  gemmNT(A.data, B.data, C, a, b, k);
  return tensor(a, b, C);
}

/**
 * Aᵀ as a new tensor.
 *
 * @example
 * transpose(fromRows([[1, 2, 3]])).shape // [3, 1]
 */
export function transpose(A: Tensor): Tensor {
  const [r, c] = A.shape;
  const out = new Float64Array(r * c);
  transposeInto(A.data, r, c, out, 0);
  return tensor(c, r, out);
}

function gemmNT(A: Float64Array, B: Float64Array, C: Float64Array, a: number, b: number, k: number): void {
  // 2×4 blocks: 8 accumulators + 6 operands fit in the 16 float registers of x64 (a 4×4 block spills).
  const a2 = a - (a % 2);
  const b4 = b - (b % 4);
  for (let i = 0; i < a2; i += 2) {
    const r0 = i * k, r1 = r0 + k;
    for (let j = 0; j < b4; j += 4) {
      const s0 = j * k, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0; p < k; p++) {
        const a0 = A[r0 + p], a1 = A[r1 + p];
        const b0 = B[s0 + p], b1 = B[s1 + p], b2 = B[s2 + p], b3 = B[s3 + p];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      }
      const o0 = i * b + j, o1 = o0 + b;
      C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02; C[o0 + 3] = c03;
      C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12; C[o1 + 3] = c13;
    }
    for (let j = b4; j < b; j++) {
      const s = j * k;
      let c0 = 0, c1 = 0;
      for (let p = 0; p < k; p++) {
        const bv = B[s + p];
        c0 += A[r0 + p] * bv; c1 += A[r1 + p] * bv;
      }
      C[i * b + j] = c0; C[(i + 1) * b + j] = c1;
    }
  }
  for (let i = a2; i < a; i++) {
    const r = i * k;
    for (let j = 0; j < b; j++) {
      const s = j * k;
      let c = 0;
      for (let p = 0; p < k; p++) c += A[r + p] * B[s + p];
      C[i * b + j] = c;
    }
  }
}

/** Σ over columns (samples): `[n,m]` → `[n,1]`. */
export function sumColumns(A: Tensor): Tensor {
  const [r, c] = A.shape;
  const out = new Float64Array(r);
  const d = A.data;
  for (let i = 0; i < r; i++) {
    let s = 0;
    const row = i * c;
    for (let j = 0; j < c; j++) s += d[row + j];
    out[i] = s;
  }
  return tensor(r, 1, out);
}

/** Repeats a column `[n,1]` over `cols` columns: `[n,cols]`, each entry times `scale`. */
export function broadcastColumn(col: Tensor, cols: number, scale = 1): Tensor {
  const r = col.shape[0];
  const out = new Float64Array(r * cols);
  for (let i = 0; i < r; i++) out.fill(col.data[i] * scale, i * cols, (i + 1) * cols);
  return tensor(r, cols, out);
}

/** `acc += b` in place; used to sum gradient contributions of a node's consumers. */
export function addInto(acc: Float64Array, b: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += b[i];
}

export function scale(a: Tensor, s: number): Tensor {
  const out = new Float64Array(a.data.length);
  const x = a.data;
  for (let i = 0; i < out.length; i++) out[i] = s * x[i];
  return tensor(a.shape[0], a.shape[1], out);
}
