/**
 * The native matrix kernel (native/gemm.cc) beyond the shapes kernels.test.ts gives every kernel:
 * - it is built and loaded wherever this machine has what the build needs (a silent fallback to the
 *   WebAssembly kernel would leave every other native test below skipped);
 * - on each instruction set this CPU runs, bit for bit the naive loop across every cache block boundary
 *   (blocks shrunk to a few registers' worth, so small shapes cross many), in all four transpose
 *   combinations, on large shapes with the default blocks, and on tall narrow products (which it computes
 *   as Cᵀ = op(B)ᵀ·op(A)ᵀ);
 * - no fused multiply-add and no reordered sums: operands where the exact product rounds differently from
 *   a fused one, and sums whose value depends on the order of their terms. Both checks are shown to fail:
 *   the order check on a sum taken in another order, the FMA check on the same source compiled with fused
 *   multiply-adds (a variant built here, when a C++ compiler is present).
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type NativeAddon, nativeAddon, NATIVE_PATH } from "../../src/node/nativeKernel.ts";
import { matmul, useKernel } from "../../src/tensor/kernels.ts";
import { type Tensor, tensor } from "../../src/tensor/tensor.ts";
import { firstMismatch, forms, random } from "../helpers/naiveProduct.ts";
import { REPO } from "../helpers/runCli.ts";

/** A C++ compiler and Node's headers, as scripts/build.mjs looks for them. */
const compiler = ["c++", "g++", "clang++"].find((cc) => {
  try {
    execFileSync(cc, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
const nodeInclude = [process.env.npm_config_nodedir, join(dirname(process.execPath), "..")].map((d) => d && join(d, "include", "node")).find((d) => d && existsSync(join(d, "node_api.h")));
const canBuild = compiler !== undefined && nodeInclude !== undefined && process.env.GRADSTREAM_NATIVE !== "0";

const { addon } = nativeAddon();
const ISAS = addon ? [...new Set(["avx512", "avx2", "sse2"].map((isa) => addon.useIsa(isa)))] : [];
const DEFAULT_BLOCKS = [256, 144, 4096] as const;
afterAll(() => {
  addon?.useIsa(ISAS[0]);
  addon?.setBlocking(...DEFAULT_BLOCKS);
  useKernel("auto");
});

/** C = op(A)·op(B) on the addon directly (any of the four transpose combinations). */
function product(gemm: NativeAddon, A: Tensor, transA: boolean, B: Tensor, transB: boolean): Tensor {
  const a = transA ? A.shape[1] : A.shape[0], k = transA ? A.shape[0] : A.shape[1], b = transB ? B.shape[0] : B.shape[1];
  const C = tensor(a, b, new Float64Array(a * b).fill(NaN));
  expect(gemm.product(A.data, transA, B.data, transB, a, k, b, C.data)).toBe(true);
  return C;
}
const operands = (a: number, k: number, b: number, transA: boolean, transB: boolean) => [transA ? random(k, a) : random(a, k), transB ? random(b, k) : random(k, b)];
const COMBINATIONS = [[false, false], [false, true], [true, false], [true, true]] as const;
const name = (tA: boolean, tB: boolean) => `${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"}`;

/**
 * Operands whose every entry of C is 0 when each product is rounded before it is added, and −2⁻⁶⁰ when it
 * is fused: Σ = (−1)·1 + (1 + 2⁻³⁰)(1 − 2⁻³⁰), whose second product is 1 − 2⁻⁶⁰, rounded to 1.
 */
function fmaProbe(a: number, b: number): [Tensor, Tensor] {
  const A = tensor(a, 2), B = tensor(2, b);
  for (let i = 0; i < a; i++) A.data.set([-1, 1 + 2 ** -30], i * 2);
  for (let j = 0; j < b; j++) (B.data[j] = 1), (B.data[b + j] = 1 - 2 ** -30);
  return [A, B];
}

/**
 * Operands whose C depends on the order of the sum's terms: row i of A is [2⁵³, 1, −2⁵³, 1, …] shifted by i,
 * B is all ones, so each entry adds 2⁵³, 1, −2⁵³, 1 in some rotation: in order from p = 0 the 1 next to 2⁵³
 * is lost (2⁵³ + 1 rounds to 2⁵³), in pairs or in reverse it is not.
 */
function orderProbe(a: number, k: number, b: number): [Tensor, Tensor] {
  const pattern = [2 ** 53, 1, -(2 ** 53), 1];
  const A = tensor(a, k), B = tensor(k, b, new Float64Array(k * b).fill(1));
  for (let i = 0; i < a; i++) for (let p = 0; p < k; p++) A.data[i * k + p] = pattern[(p + i) % 4];
  return [A, B];
}

/** Entry (i, j) of op(A)·op(B) summed two ways: odd and even p apart, then added (as a loop vectorised along p would). */
function splitSum(A: Tensor, B: Tensor): Tensor {
  const [a, k] = A.shape, b = B.shape[1];
  const C = tensor(a, b);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      let even = 0, odd = 0;
      for (let p = 0; p < k; p++) (p % 2 ? (odd += A.data[i * k + p] * B.data[p * b + j]) : (even += A.data[i * k + p] * B.data[p * b + j]));
      C.data[i * b + j] = even + odd;
    }
  }
  return C;
}

describe("the native kernel is there", () => {
  it.runIf(canBuild)(`is built and loads where a C++ compiler and Node's headers are (${compiler ?? "no compiler"}, ${nodeInclude ?? "no headers"})`, () => {
    expect(nativeAddon().reason).toBeUndefined();
    expect(existsSync(NATIVE_PATH)).toBe(true);
    expect(useKernel("native")).toBe("native");
    useKernel("auto");
  });

  it.runIf(process.arch === "x64" && addon !== undefined)("on x86-64 runs at least the SSE2 kernel, and the default is the widest this CPU runs", () => {
    expect(ISAS).toContain("sse2");
    expect(ISAS[0]).toBe(addon!.useIsa("avx512"));
  });
});

describe.runIf(addon !== undefined)("the native kernel is bit for bit the naive loop", () => {
  for (const isa of ISAS) {
    it(`${isa}: across every block boundary (blocks 16 deep, 24 rows, 32 columns), all four transpose combinations`, () => {
      expect(addon!.useIsa(isa)).toBe(isa);
      expect(addon!.setBlocking(16, 24, 32)).toBe(true);
      const failures: string[] = [];
      // The last four are tall and narrow: the kernel computes Cᵀ = op(B)ᵀ·op(A)ᵀ instead (less padding).
      for (const [a, k, b] of [[25, 17, 33], [49, 33, 65], [24, 16, 32], [23, 47, 31], [1, 40, 70], [60, 1, 3], [13, 100, 9], [40, 7, 1], [37, 5, 2], [100, 30, 3], [130, 20, 2]]) {
        for (const [tA, tB] of COMBINATIONS) {
          const [A, B] = operands(a, k, b, tA, tB);
          const problem = firstMismatch(product(addon!, A, tA, B, tB), A, tA, B, tB, true);
          if (problem) failures.push(`${name(tA, tB)} a=${a} k=${k} b=${b}: ${problem}`);
        }
      }
      addon!.setBlocking(...DEFAULT_BLOCKS);
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it(`${isa}: every shape in 1..9 × 1..9 × 1..9 with A and B both transposed (the other three combinations: kernels.test.ts)`, () => {
      expect(addon!.useIsa(isa)).toBe(isa);
      const failures: string[] = [];
      for (let a = 1; a <= 9; a++) for (let k = 1; k <= 9; k++) for (let b = 1; b <= 9; b++) {
        const [A, B] = operands(a, k, b, true, true);
        const problem = firstMismatch(product(addon!, A, true, B, true), A, true, B, true, true);
        if (problem) failures.push(`a=${a} k=${k} b=${b}: ${problem}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it(`${isa}: with the default blocks, shapes past each of them (256 deep, 144 rows, 4096 columns)`, () => {
      expect(addon!.useIsa(isa)).toBe(isa);
      for (const [a, k, b] of [[150, 600, 40], [13, 517, 4100], [145, 257, 17], [300, 270, 1], [290, 20, 3]]) {
        const [tA, tB] = COMBINATIONS[(a + k) % 4];
        const [A, B] = operands(a, k, b, tA, tB);
        expect(firstMismatch(product(addon!, A, tA, B, tB), A, tA, B, tB, true), `${name(tA, tB)} a=${a} k=${k} b=${b}`).toBeUndefined();
      }
    });

    it(`${isa}: no fused multiply-add (each product rounded before it is added) and sums in order of p`, () => {
      expect(addon!.useIsa(isa)).toBe(isa);
      const [A, B] = fmaProbe(13, 35);
      expect([...new Set(product(addon!, A, false, B, false).data)]).toEqual([0]);
      const [P, Q] = orderProbe(13, 22, 35);
      expect(firstMismatch(product(addon!, P, false, Q, false), P, false, Q, false, true)).toBeUndefined();
    });
  }

  it("rejects what it cannot take, writing nothing: wrong array types, short arrays, an output overlapping an operand", () => {
    const A = random(3, 4), B = random(4, 5), C = new Float64Array(15).fill(7);
    expect(addon!.product(A.data, false, B.data, false, 3, 4, 6, C)).toBe(false); // B too short for 4×6
    expect(addon!.product(A.data, false, new Float32Array(20) as unknown as Float64Array, false, 3, 4, 5, C)).toBe(false);
    const shared = new Float64Array(30);
    shared.set(A.data);
    expect(addon!.product(shared.subarray(0, 12), false, B.data, false, 3, 4, 5, shared.subarray(10, 25))).toBe(false);
    expect(addon!.product(A.data, false, B.data, false, -1, 4, 5, C)).toBe(false);
    expect([...new Set(C)]).toEqual([7]);
  });
});

describe("the checks above can fail", () => {
  it("the order probe tells the naive order from a sum split in two along p", () => {
    const [P, Q] = orderProbe(5, 10, 7);
    expect(firstMismatch(matmul(P, Q), P, false, Q, false, true)).toBeUndefined();
    expect(firstMismatch(splitSum(P, Q), P, false, Q, false, true)).toMatch(/bits differ/);
  });

  it.runIf(canBuild && addon !== undefined)("the same kernel compiled with fused multiply-adds fails the FMA probe and the bit-for-bit comparison", () => {
    const dir = mkdtempSync(join(tmpdir(), "gs-fma-"));
    const variant = join(dir, "gemm_fma.node");
    // What a careless build would do: contraction on and FMA instructions allowed (the AVX-512 multiply is
    // plain C here too, so the compiler may fuse it: GS_NO_ASM).
    execFileSync(compiler!, ["-O2", "-std=c++17", "-shared", "-fPIC", `-I${nodeInclude}`, "-mfma", "-ffp-contract=fast", "-DGS_NO_ASM", "-DGRADSTREAM_ALLOW_FMA", join(REPO, "native/gemm.cc"), "-o", variant], { stdio: "pipe" });
    const fused = createRequire(import.meta.url)(variant) as NativeAddon;
    const [A, B] = fmaProbe(13, 35);
    for (const isa of ISAS) {
      expect(fused.useIsa(isa)).toBe(isa);
      expect(new Set(product(fused, A, false, B, false).data), isa).toEqual(new Set([-(2 ** -60)]));
      const [X, Y] = forms[0].operands(7, 9, 11);
      expect(firstMismatch(product(fused, X, false, Y, false), X, false, Y, false, true), isa).toMatch(/bits differ/);
    }
  });
});
