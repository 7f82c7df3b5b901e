/**
 * The hot loops of gradstream. Matrix products run on the fastest kernel this process has:
 * - a native one (native/gemm.cc: AVX-512 or AVX2 vectors, a Node-API addon), where the Node entry has
 *   registered it (src/node/nativeKernel.ts; never in a browser, and optional: where it was not built or
 *   does not load, the next one runs);
 * - a WebAssembly SIMD one where the engine has it (simdGemm.ts); both are packed, cache-blocked, and read
 *   every form A·B, A·Bᵀ, Aᵀ·B in place;
 * - else the plain-JS kernel `gemmNT` (C = A·Bᵀ), whose operands are both read contiguously along the shared
 *   dimension; the other forms transpose first (O(n²), cheap beside the O(n³) product). It computes 2×4
 *   blocks of C in 8 local accumulators, so each step loads 6 numbers for 8 multiply-adds and never stores
 *   until the block is done.
 * Products too small to pay for a kernel's call and packing run in a naive loop. All of them add each
 * entry's products in order of the shared index from 0, with a separate multiply and add, as the naive loop
 * does: they agree bit for bit.
 *
 * Every kernel takes an optional `out` tensor to write its result into (the reactive runtime hands in
 * buffers it reuses from one transaction to the next); its contents are overwritten, never read.
 */
import { type Tensor, output, tensor } from "./tensor.ts";
import { type SimdGemm, createSimdGemm } from "./simdGemm.ts";
import { transposeInto } from "./transposeInto.ts";

const simd = createSimdGemm();
/** The native kernel, once a Node entry has registered one (registerNativeGemm). */
let native: NativeGemm | undefined;

/** A native matrix product: the WebAssembly kernel's interface, plus the instruction set it runs on. */
export interface NativeGemm extends SimdGemm {
  /** "avx512", "avx2", "sse2", …: the vectors it uses. */
  readonly isa: string;
}

/**
 * Which kernel runs the matrix products: by size (the default), or one of them always (tests, benchmarks).
 * "simd" is the WebAssembly kernel.
 */
export type KernelChoice = "auto" | "native" | "simd" | "js" | "naive";
let choice: KernelChoice = "auto";

/**
 * Chooses the kernel of the matrix products and returns the one now in use: "native" falls back to "simd"
 * where no native kernel is registered, and "simd" to "js" where the engine has no WebAssembly SIMD.
 * "auto": the naive loop for tiny products, else the fastest kernel there is.
 *
 * @example
 * useKernel("js");   // plain JS from now on
 * useKernel("auto"); // back to the default
 */
export function useKernel(kind: KernelChoice): KernelChoice {
  if (kind === "native" && native === undefined) kind = "simd";
  choice = kind === "simd" && simd === undefined ? "js" : kind;
  return choice;
}

/** The kernel `useKernel` chose ("auto" unless one is forced). */
export function kernelInUse(): KernelChoice {
  return choice;
}

/**
 * Registers the native kernel (src/node/nativeKernel.ts does, from the Node entries); `undefined` removes
 * it. Kept out of the platform-neutral code's imports: a browser bundle never reaches it.
 *
 * @example
 * registerNativeGemm(loadedAddon); // "auto" now prefers it
 */
export function registerNativeGemm(gemm: NativeGemm | undefined): void {
  native = gemm;
  if (gemm === undefined && choice === "native") useKernel("native");
}

/** The registered native kernel's instruction set, or undefined when there is none. */
export function nativeIsa(): string | undefined {
  return native?.isa;
}

/**
 * The SIMD kernels (the default where available) or the plain-JS ones, for benchmarks that compare the
 * two. Returns whether a SIMD kernel (native or WebAssembly) is now in use (false if asked for but
 * unavailable).
 *
 * @example
 * useSimdKernels(false); // plain JS from now on
 * useSimdKernels(true);  // back to the default, the native or WebAssembly kernel where there is one
 */
export function useSimdKernels(on: boolean): boolean {
  useKernel(on ? "auto" : "js");
  return on && (simd !== undefined || native !== undefined);
}

/**
 * C = A·Bᵀ for A `[a,k]`, B `[b,k]`: the weight gradient dW = dZ·Xᵀ without forming Xᵀ as a tensor. The
 * result goes into `out` when it is given with shape `[a,b]` (its contents are overwritten, never read).
 *
 * @example
 * matmulNT(fromRows([[1, 2]]), fromRows([[3, 4], [5, 6]])) // [[11, 17]]
 */
export function matmulNT(A: Tensor, B: Tensor, out?: Tensor): Tensor {
  const [a, k] = A.shape;
  const [b, k2] = B.shape;
  if (k !== k2) throw new RangeError(`matmulNT: inner sizes ${k} and ${k2} differ`);
  return product(A.data, false, B.data, true, a, k, b, output(out, a, b));
}

/**
 * C = A·B for A `[a,k]`, B `[k,b]`, into `out` when it is given with shape `[a,b]`.
 *
 * @example
 * matmul(fromRows([[1, 2]]), fromRows([[3], [4]])) // [[11]]
 */
export function matmul(A: Tensor, B: Tensor, out?: Tensor): Tensor {
  if (A.shape[1] !== B.shape[0]) throw new RangeError(`matmul: inner sizes ${A.shape[1]} and ${B.shape[0]} differ`);
  const [a, k] = A.shape, b = B.shape[1];
  return product(A.data, false, B.data, false, a, k, b, output(out, a, b));
}

/**
 * C = Aᵀ·B for A `[k,a]`, B `[k,b]`: the input gradient dX = Wᵀ·dZ, reading W in place; into `out` when
 * it is given with shape `[a,b]`.
 *
 * @example
 * matmulTN(fromRows([[1, 2]]), fromRows([[3]])) // [[3], [6]]
 */
export function matmulTN(A: Tensor, B: Tensor, out?: Tensor): Tensor {
  if (A.shape[0] !== B.shape[0]) throw new RangeError(`matmulTN: inner sizes ${A.shape[0]} and ${B.shape[0]} differ`);
  const [k, a] = A.shape, b = B.shape[1];
  return product(A.data, true, B.data, false, a, k, b, output(out, a, b));
}

/**
 * Products up to this many multiply-adds, or with at most this many entries (a few long dot products, which
 * would fill a SIMD kernel's blocks mostly with padding), run in a plain loop that reads the operands
 * where they are: there, copying them into the WebAssembly heap costs more than the SIMD kernel saves.
 * (Measured on the planar network's products: 4×2·2×400 takes 1.4 µs in SIMD, 4.1 µs in the loop;
 * 4×400·400×2 takes 3.0 µs in SIMD, 2.5 µs in the loop.)
 */
const SMALL_PRODUCT = 512, FEW_ENTRIES = 16;
/**
 * The kernel "auto" runs an a×k·k×b product on: the naive loop for tiny ones, else the fastest there is.
 *
 * @example
 * autoKernel(4, 2, 400) // "native" where it is registered, else "simd"
 */
export function autoKernel(a: number, k: number, b: number): Exclude<KernelChoice, "auto"> {
  const macs = a * k * b;
  if (macs <= SMALL_PRODUCT || a * b <= FEW_ENTRIES) return "naive";
  // The native kernel reads the operands where they are (no copy in or out): from here on it is the fastest
  // (`npm run bench:kernels`: 1×4·4×400 takes 2.2 µs native, 2.6 in WebAssembly, 4.7 in the loop).
  return native ? "native" : simd ? "simd" : "js";
}

/** C = op(A)·op(B) into C's data, on the kernel chosen (see useKernel), else in plain JS. */
function product(A: Float64Array, transA: boolean, B: Float64Array, transB: boolean, a: number, k: number, b: number, C: Tensor): Tensor {
  const out = C.data as Float64Array;
  const kind = choice === "auto" ? autoKernel(a, k, b) : choice;
  if (kind === "naive") smallProduct(A, transA ? 1 : k, transA ? a : 1, B, transB ? 1 : b, transB ? k : 1, a, k, b, out);
  else if (kind === "native" && native!.product(A, transA, B, transB, a, k, b, out)) return C;
  else if (!((kind === "simd" || kind === "native") && simd?.product(A, transA, B, transB, a, k, b, out))) {
    // The plain-JS kernel reads both operands along the shared dimension: Aᵀ or B is transposed first.
    const rowsA = transA ? transposed(A, k, a) : A;
    const rowsB = transB ? B : transposed(B, k, b);
    gemmNT(rowsA, rowsB, out, a, b, k);
  }
  return C;
}

/**
 * The naive triple loop with op(A)[i][p] at i·aRow + p·aCol and op(B)[p][j] at p·bRow + j·bCol; 2×2
 * entries are summed side by side so four additions are in flight at once rather than one long chain.
 * Each entry receives its products in order of p from 0.
 */
function smallProduct(A: Float64Array, aRow: number, aCol: number, B: Float64Array, bRow: number, bCol: number, a: number, k: number, b: number, C: Float64Array): void {
  let i = 0;
  for (; i + 1 < a; i += 2) {
    let j = 0;
    for (; j + 1 < b; j += 2) {
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) {
        const a0 = A[x], a1 = A[x + aRow], b0 = B[y], b1 = B[y + bCol];
        s00 += a0 * b0; s01 += a0 * b1; s10 += a1 * b0; s11 += a1 * b1;
      }
      C[i * b + j] = s00; C[i * b + j + 1] = s01; C[(i + 1) * b + j] = s10; C[(i + 1) * b + j + 1] = s11;
    }
    if (j < b) {
      let s0 = 0, s1 = 0;
      for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) (s0 += A[x] * B[y]), (s1 += A[x + aRow] * B[y]);
      C[i * b + j] = s0; C[(i + 1) * b + j] = s1;
    }
  }
  if (i < a) {
    let j = 0;
    for (; j + 1 < b; j += 2) {
      let s0 = 0, s1 = 0;
      for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) (s0 += A[x] * B[y]), (s1 += A[x] * B[y + bCol]);
      C[i * b + j] = s0; C[i * b + j + 1] = s1;
    }
    if (j < b) {
      let s = 0;
      for (let p = 0, x = i * aRow, y = j * bCol; p < k; p++, x += aCol, y += bRow) s += A[x] * B[y];
      C[i * b + j] = s;
    }
  }
}

function transposed(src: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  transposeInto(src, rows, cols, out, 0);
  return out;
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

/** Σ over columns (samples): `[n,m]` → `[n,1]`, each row added left to right; into `out` when given `[n,1]`. */
export function sumColumns(A: Tensor, out?: Tensor): Tensor {
  const [r, c] = A.shape;
  const S = output(out, r, 1);
  const o = S.data as Float64Array, d = A.data;
  for (let i = 0; i < r; i++) {
    let s = 0;
    for (let j = i * c, end = j + c; j < end; j++) s += d[j];
    o[i] = s;
  }
  return S;
}

/** Repeats a column `[n,1]` over `cols` columns: `[n,cols]`, each entry times `scale`; into `out` when given that shape. */
export function broadcastColumn(col: Tensor, cols: number, scale = 1, out?: Tensor): Tensor {
  const r = col.shape[0];
  const B = output(out, r, cols);
  const o = B.data as Float64Array;
  for (let i = 0; i < r; i++) o.fill(col.data[i] * scale, i * cols, (i + 1) * cols);
  return B;
}

/** `acc += b` in place; used to sum gradient contributions of a node's consumers. */
export function addInto(acc: Float64Array, b: Float64Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] += b[i];
}

/** s·a, into `out` when it is given with a's shape. */
export function scale(a: Tensor, s: number, out?: Tensor): Tensor {
  const S = output(out, a.shape[0], a.shape[1]);
  const o = S.data as Float64Array, x = a.data;
  for (let i = 0; i < o.length; i++) o[i] = s * x[i];
  return S;
}
