/**
 * The matrix kernels against a naive triple loop written here, on every shape with 1..9 rows, inner size
 * and columns (so every remainder of the 4×4 SIMD blocks and of the 2×4 JS blocks occurs), in each of the
 * three forms (A·B, A·Bᵀ, Aᵀ·B), on each kernel: the native one (each instruction set this CPU runs; its
 * own tests are in nativeKernel.test.ts), the WebAssembly SIMD one, the plain-JS one and the naive loop for
 * tiny products; and on shapes that cross the SIMD kernel's cache blocks. Every kernel adds each entry's
 * products in order of the shared index from 0, as the loop here does, so the results must be the same
 * bits (a NaN equal to any NaN).
 */
import { afterAll, describe, expect, it } from "vitest";
import { type KernelChoice, autoKernel, matmul, matmulNT, matmulTN, transpose, useKernel, useSimdKernels } from "../../src/tensor/kernels.ts";
import { nativeAddon } from "../../src/node/nativeKernel.ts";
import { transposeInto } from "../../src/tensor/transposeInto.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { firstMismatch, forms, random } from "../helpers/naiveProduct.ts";

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9];


it("the SIMD kernel is available on the Node versions gradstream supports, so its tests below really run it", () => {
  expect(useSimdKernels(true)).toBe(true);
});

const addon = nativeAddon().addon;
/** The native kernel's instruction sets on this CPU, widest (its default) first. */
const ISAS = addon ? [...new Set(["avx512", "avx2", "sse2"].map((isa) => addon.useIsa(isa)))] : [];
const widest = ISAS[0];

const KERNELS: Record<string, { choice: KernelChoice; isa?: string }> = {
  ...Object.fromEntries(ISAS.map((isa) => [`native ${isa}`, { choice: "native" as const, isa }])),
  "WebAssembly SIMD": { choice: "simd" },
  "plain JS": { choice: "js" },
  "naive loop (tiny products)": { choice: "naive" },
};
afterAll(() => {
  useKernel("auto");
  addon?.useIsa(widest);
});

for (const [kernel, { choice, isa }] of Object.entries(KERNELS)) {
  describe(`${kernel} kernel`, () => {
    const select = () => {
      if (isa) expect(addon!.useIsa(isa)).toBe(isa);
      expect(useKernel(choice)).toBe(choice);
    };

    for (const form of forms) {
      it(`${form.name} equals the naive triple loop bit for bit for every shape in 1..9 × 1..9 × 1..9`, () => {
        select();
        const failures: string[] = [];
        for (const a of SIZES) for (const k of SIZES) for (const b of SIZES) {
          const [A, B] = form.operands(a, k, b);
          const problem = firstMismatch(form.run(A, B), A, form.transA, B, form.transB, true);
          if (problem) failures.push(`a=${a} k=${k} b=${b}: ${problem}`);
        }
        expect(failures.slice(0, 5)).toEqual([]);
      });

      it(`${form.name} on shapes with many blocks and ragged edges (the shapes of a 784→128→10 step, and odd ones)`, () => {
        select();
        for (const [a, k, b] of [[13, 37, 11], [130, 5, 67], [21, 300, 10], [128, 64, 129]]) {
          const [A, B] = form.operands(a, k, b);
          expect(firstMismatch(form.run(A, B), A, form.transA, B, form.transB, true), `a=${a} k=${k} b=${b}`).toBeUndefined();
        }
      });
    }

    it("writes into the output it is given, whatever that held, and makes a new one when its shape does not fit", () => {
      select();
      const [A, B] = [random(6, 300), random(300, 5)];
      const reference = matmul(A, B);
      const out = tensor(6, 5, new Float64Array(30).fill(NaN));
      expect(matmul(A, B, out)).toBe(out);
      expect(firstMismatch(out, A, false, B, false, true)).toBeUndefined();
      expect(Array.from(out.data)).toEqual(Array.from(reference.data));
      const wrong = tensor(5, 6);
      const C = matmulNT(A, transpose(B), wrong);
      expect(C).not.toBe(wrong);
      expect(Array.from(C.data)).toEqual(Array.from(reference.data));
    });

    it("an inner size of 0 gives zeros, as the empty sum", () => {
      select();
      expect(Array.from(matmul(tensor(5, 0), tensor(0, 6)).data)).toEqual(new Array(30).fill(0));
    });
  });
}

describe("the SIMD kernel's cache blocks", () => {
  // 256 deep, 128 rows and 2048 columns per block: these cross each boundary, with ragged remainders, and
  // one has C rows a multiple of 512 bytes apart (padded inside the kernel).
  const shapes = [[9, 600, 7], [261, 20, 9], [5, 30, 2110], [9, 70, 128], [131, 517, 66]];
  for (const form of forms) {
    it(`${form.name} is bit for bit the naive loop across blocks of every dimension`, () => {
      expect(useKernel("simd")).toBe("simd");
      for (const [a, k, b] of shapes) {
        const [A, B] = form.operands(a, k, b);
        expect(firstMismatch(form.run(A, B), A, form.transA, B, form.transB, true), `a=${a} k=${k} b=${b}`).toBeUndefined();
      }
    });
  }

  it("the default choice (naive loop for tiny products and for few long dot products, the native kernel or SIMD otherwise) is bit for bit the naive loop", () => {
    expect(useKernel("auto")).toBe("auto");
    expect(autoKernel(4, 2, 400)).toBe(addon ? "native" : "simd");
    expect([autoKernel(4, 400, 2), autoKernel(8, 8, 8)]).toEqual(["naive", "naive"]);
    for (const [a, k, b] of [[4, 2, 400], [4, 400, 2], [1, 4, 400], [128, 784, 16], [16, 16, 16], [16, 16, 17]]) {
      for (const form of forms) {
        const [A, B] = form.operands(a, k, b);
        expect(firstMismatch(form.run(A, B), A, form.transA, B, form.transB, true), `${form.name} a=${a} k=${k} b=${b}`).toBeUndefined();
      }
    }
  });
});

describe("the SIMD kernel's heap", () => {
  it("grows for a large product after small ones, and earlier results are not overwritten by later products", () => {
    expect(useKernel("simd")).toBe("simd");
    const small = [random(3, 5), random(5, 7)] as const;
    const first = matmul(...small);
    const kept = first.data.slice();
    const big = [random(300, 400), random(400, 90)] as const; // ~1.3 MB of operands: the heap must grow
    expect(firstMismatch(matmul(...big), big[0], false, big[1], false)).toBeUndefined();
    const again = matmul(...small);
    expect(Array.from(first.data)).toEqual(Array.from(kept));
    expect(Array.from(again.data)).toEqual(Array.from(kept));
  });

  it("NaN and ±Infinity in one product propagate as in the naive loop and leave nothing behind for the next", () => {
    expect(useKernel("simd")).toBe("simd");
    const A = random(7, 6), B = random(6, 5);
    A.data[3] = NaN;
    A.data[10] = Infinity;
    B.data[29] = -Infinity;
    expect(firstMismatch(matmul(A, B), A, false, B, false)).toBeUndefined();
    expect(firstMismatch(matmulNT(A, transpose(B)), A, false, transpose(B), true)).toBeUndefined();
    const [C, D] = [random(7, 6), random(6, 5)]; // same ragged shape, so the same heap places and padding
    expect(firstMismatch(matmul(C, D), C, false, D, false)).toBeUndefined();
    expect(firstMismatch(matmulTN(transpose(C), D), transpose(C), true, D, false)).toBeUndefined();
  });

  it("does not change its operands", () => {
    expect(useKernel("simd")).toBe("simd");
    const [A, B] = [random(9, 13), random(7, 13)];
    const [a, b] = [A.data.slice(), B.data.slice()];
    matmulNT(A, B);
    expect(Array.from(A.data)).toEqual(Array.from(a));
    expect(Array.from(B.data)).toEqual(Array.from(b));
  });
});

describe("transpose", () => {
  it("moves entry [i][j] to [j][i] for every shape in 1..9 × 1..9", () => {
    for (const r of SIZES) for (const c of SIZES) {
      const A = random(r, c);
      const T = transpose(A);
      expect(T.shape).toEqual([c, r]);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(T.data[j * r + i]).toBe(A.data[i * c + j]);
    }
  });

  it("transposeInto writes from the offset it is given and nowhere else", () => {
    const out = new Float64Array(2 + 6 + 3).fill(-1);
    transposeInto(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3, out, 2);
    expect(Array.from(out)).toEqual([-1, -1, 1, 4, 2, 5, 3, 6, -1, -1, -1]);
  });

  it("transposeInto with a wider stride leaves the gaps between output rows alone", () => {
    const src = random(6, 3); // 6 rows: one block of four and a remainder of two
    const out = new Float64Array(3 * 8).fill(-1);
    transposeInto(src.data, 6, 3, out, 0, 8);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 6; i++) expect(out[j * 8 + i]).toBe(src.data[i * 3 + j]);
      expect([out[j * 8 + 6], out[j * 8 + 7]]).toEqual([-1, -1]);
    }
  });
});

describe("the comparison above can fail", () => {
  it("catches a kernel that drops the last term of each sum", () => {
    const [A, B] = [random(5, 7), random(7, 6)];
    const C = matmul(A, B);
    const dropped = tensor(5, 6, C.data.map((v, idx) => v - A.data[Math.floor(idx / 6) * 7 + 6] * B.data[6 * 6 + (idx % 6)]));
    expect(firstMismatch(dropped, A, false, B, false)).toMatch(/naive loop gives/);
  });

  it("in exact mode, catches a result one rounding away from the naive loop's", () => {
    const [A, B] = [random(5, 7), random(7, 6)];
    const C = matmul(A, B);
    const nudged = tensor(5, 6, C.data.map((v, idx) => (idx === 7 ? v + Math.abs(v) * Number.EPSILON : v)));
    expect(firstMismatch(nudged, A, false, B, false)).toBeUndefined(); // within the rounding bound
    expect(firstMismatch(nudged, A, false, B, false, true)).toMatch(/C\[1\]\[1\] = .* \(bits differ\)/);
  });

  it("catches a kernel that reads A transposed where it should not", () => {
    const [A, B] = [random(6, 6), random(6, 4)];
    expect(firstMismatch(matmulTN(A, B), A, false, B, false)).toMatch(/naive loop gives/);
  });
});
