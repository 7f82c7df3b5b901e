import { timeSteps } from "./timeSteps.ts";
const rnd = (n: number) => { const d = new Float64Array(n); for (let i = 0; i < n; i++) d[i] = Math.random() - 0.5; return d; };
function transpose(src: Float64Array, r: number, c: number) { const out = new Float64Array(r * c); for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j]; return out; }
function naive(A: Float64Array, B: Float64Array, a: number, k: number, b: number) { const C = new Float64Array(a * b); for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) { let s = 0; for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * b + j]; C[i * b + j] = s; } return C; }

// current: NT 2x4, no blocking
function gemmNT(A: Float64Array, B: Float64Array, C: Float64Array, a: number, b: number, k: number, k0 = 0, k1 = k, acc = false): void {
  const a2 = a - (a % 2), b4 = b - (b % 4);
  for (let i = 0; i < a2; i += 2) {
    const r0 = i * k, r1 = r0 + k;
    for (let j = 0; j < b4; j += 4) {
      const s0 = j * k, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = k0; p < k1; p++) {
        const a0 = A[r0 + p], a1 = A[r1 + p];
        const b0 = B[s0 + p], b1 = B[s1 + p], b2 = B[s2 + p], b3 = B[s3 + p];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      }
      const o0 = i * b + j, o1 = o0 + b;
      if (acc) { C[o0] += c00; C[o0 + 1] += c01; C[o0 + 2] += c02; C[o0 + 3] += c03; C[o1] += c10; C[o1 + 1] += c11; C[o1 + 2] += c12; C[o1 + 3] += c13; }
      else { C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02; C[o0 + 3] = c03; C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12; C[o1 + 3] = c13; }
    }
  }
}
function gemmNTorig(A: Float64Array, B: Float64Array, C: Float64Array, a: number, b: number, k: number): void {
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


// NT with k blocking
function gemmNTk(A: Float64Array, B: Float64Array, C: Float64Array, a: number, b: number, k: number, KB: number) {
  for (let k0 = 0; k0 < k; k0 += KB) gemmNT(A, B, C, a, b, k, k0, Math.min(k, k0 + KB), k0 > 0);
}
// NT with j (B rows) blocking
function gemmNTj(A: Float64Array, B: Float64Array, C: Float64Array, a: number, b: number, k: number, JB: number) {
  const a2 = a - (a % 2);
  for (let j0 = 0; j0 < b; j0 += JB) {
    const j1 = Math.min(b, j0 + JB);
    for (let i = 0; i < a2; i += 2) {
      const r0 = i * k, r1 = r0 + k;
      for (let j = j0; j < j1; j += 4) {
        const s0 = j * k, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        for (let p = 0; p < k; p++) {
          const a0 = A[r0 + p], a1 = A[r1 + p];
          const b0 = B[s0 + p], b1 = B[s1 + p], b2 = B[s2 + p], b3 = B[s3 + p];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        }
        const o0 = i * b + j, o1 = o0 + b;
        C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02; C[o0 + 3] = c03; C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12; C[o1 + 3] = c13;
      }
    }
  }
}
// NN axpy (i-k-j) 4 rows, j-blocked. C = A[a,k] * B[k,b]
function gemmNNaxpy(A: Float64Array, B: Float64Array, C: Float64Array, a: number, k: number, b: number, JB: number) {
  for (let j0 = 0; j0 < b; j0 += JB) {
    const j1 = Math.min(b, j0 + JB);
    for (let i = 0; i < a; i += 4) {
      const o0 = i * b, o1 = o0 + b, o2 = o1 + b, o3 = o2 + b;
      const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
      for (let p = 0; p < k; p++) {
        const a0 = A[r0 + p], a1 = A[r1 + p], a2 = A[r2 + p], a3 = A[r3 + p];
        const bp = p * b;
        for (let j = j0; j < j1; j++) {
          const bv = B[bp + j];
          C[o0 + j] += a0 * bv; C[o1 + j] += a1 * bv; C[o2 + j] += a2 * bv; C[o3 + j] += a3 * bv;
        }
      }
    }
  }
}
// NN axpy with register-blocked j: 4 rows x 2 cols? i-k-j with 2 j in registers not possible across p... 
// NN "outer product" micro-kernel: 4x4 block of C in registers, loop p, reading A column-ish (A[i+r, p]) and B row (B[p, j..j+3])
function gemmNN44(A: Float64Array, B: Float64Array, C: Float64Array, a: number, k: number, b: number) {
  for (let i = 0; i < a; i += 2) {
    const r0 = i * k, r1 = r0 + k;
    for (let j = 0; j < b; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0, q = j; p < k; p++, q += b) {
        const a0 = A[r0 + p], a1 = A[r1 + p];
        const b0 = B[q], b1 = B[q + 1], b2 = B[q + 2], b3 = B[q + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      }
      const o0 = i * b + j, o1 = o0 + b;
      C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02; C[o0 + 3] = c03; C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12; C[o1 + 3] = c13;
    }
  }
}

const shapes = [["fwd", 128, 784, 64], ["dW1", 128, 64, 784], ["dX", 784, 128, 64]] as const;
const o = { batches: 5, budgetMs: 600, warmupMs: 200 };
for (const [name, a, k, b] of shapes) {
  const A = rnd(a * k), B = rnd(k * b), Bt = transpose(B, k, b);
  const ref = naive(A, B, a, k, b);
  const check = (C: Float64Array) => { let e = 0; for (let i = 0; i < C.length; i++) e = Math.max(e, Math.abs(C[i] - ref[i])); return e < 1e-9 ? "" : " WRONG " + e; };
  const vs: [string, () => Float64Array][] = [
    ["NT (Bt given)", () => { const C = new Float64Array(a * b); gemmNT(A, Bt, C, a, b, k); return C; }],
    ["NT orig", () => { const C = new Float64Array(a * b); gemmNTorig(A, Bt, C, a, b, k); return C; }],
    ["NT k128", () => { const C = new Float64Array(a * b); gemmNTk(A, Bt, C, a, b, k, 128); return C; }],
    ["NT k256", () => { const C = new Float64Array(a * b); gemmNTk(A, Bt, C, a, b, k, 256); return C; }],
    ["NT j64", () => { const C = new Float64Array(a * b); gemmNTj(A, Bt, C, a, b, k, 64); return C; }],
    ["NN axpy j64", () => { const C = new Float64Array(a * b); gemmNNaxpy(A, B, C, a, k, b, 64); return C; }],
    ["NN axpy j256", () => { const C = new Float64Array(a * b); gemmNNaxpy(A, B, C, a, k, b, 256); return C; }],
    ["NN 2x4", () => { const C = new Float64Array(a * b); gemmNN44(A, B, C, a, k, b); return C; }],
  ];
  for (const [vn, f] of vs) console.log(name, vn.padEnd(14), timeSteps(() => void f(), o).median.toFixed(3) + check(f()));
}
