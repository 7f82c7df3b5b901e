/**
 * The matrix product on WebAssembly SIMD, organised as BLAS libraries organise theirs (Goto and van de
 * Geijn's layering, as in BLIS): the shared dimension is cut into blocks of KC, the output into blocks of
 * MC rows and NC columns; each block of op(B) and of op(A) is first *packed* — copied into panels of 4
 * columns (rows) laid out in the order the kernel reads them — and a 4×4 register-blocked kernel over
 * float64 pairs (`f64x2`) then sweeps the panels. Packing is what reads a transposed operand in place: Bᵀ
 * and Aᵀ are packed straight from their stored layout, and no transposed copy is ever made. The blocks are
 * sized so a panel of B stays in the first-level cache while the kernel streams the packed A block from
 * the second.
 *
 * The operands are copied into the heap for each product (a memcpy, about a tenth of a 784→128→10 step at
 * m = 64) rather than kept there between ops: a tensor backed by WebAssembly memory would be detached
 * whenever the memory grows, and every value handed to a caller would have to be copied out anyway.
 *
 * The order of summation is the naive loop's: each entry is Σ_p a_ip·b_pj added in order of p, starting
 * from 0, with a separate multiply and add (no fused multiply-add). The blocks of the shared dimension are
 * visited in order and the partial sums are stored and reloaded between them, which in float64 is exact,
 * so the results are bit for bit those of `for p: c += a[i][p]·b[p][j]`.
 *
 * @example
 * const gemm = createSimdGemm();                              // undefined where WebAssembly SIMD is missing
 * const C = new Float64Array(a * b);
 * gemm?.product(A, false, B, false, a, k, b, C);             // C = A·B; false if too large for the heap
 */
import {
  type Code, add, block, breakIf, eq, eqz, f64, f64Load, f64Store, fadd, fmul, geU, get, i32, ifElse, load,
  loadSplat, loop, ltU, memoryCopy, mul, ne, set, store, sub, wasmModule, zero, br,
} from "./wasmAssembler.ts";

/** C = op(A)·op(B), with A stored `[a,k]` (or `[k,a]` when `transA`), B stored `[k,b]` (or `[b,k]` when `transB`). */
export interface SimdGemm {
  /** Writes the a·b entries of C into `out`; returns false (writing nothing) when the heap cannot hold the operands. */
  product(A: Float64Array, transA: boolean, B: Float64Array, transB: boolean, a: number, k: number, b: number, out: Float64Array): boolean;
}

/**
 * Register block: 4 rows × 4 columns of C in eight f64x2 accumulators; per step of p, 2 loads of B, 4 of A
 * (each one number into both lanes) and 8 multiplies and 8 adds, about 27 instructions as V8 compiles it,
 * near the 4 cycles the CPU's two multiply and two add pipes need. Measured alternatives were slower here:
 * 6×4, 4×6 and 8×4 blocks or two steps of p per turn make V8 hoist the loads and spill registers (V8 gives
 * wasm 15 vector registers on x86-64: 8 accumulators, 2 of B, 4 of A and a temporary nearly fill them); 3×6
 * and 5×4 (which fit) are 5–20% slower, 2×8 the same; reading B from memory at each use instead of once costs
 * more loads than it saves registers; A packed with each number in both lanes (a plain load instead of a
 * load-and-splat) gains nothing. On this machine (Zen 4) the kernel reaches 18–22 GFLOP/s on blocks in the
 * first-level cache, of the 28 that two f64x2 multiplies and two adds per cycle allow at 3.5 GHz, and on a
 * 1024³ product the same as OpenBLAS's own kernel for 128-bit vectors without FMA (OPENBLAS_CORETYPE=Nehalem,
 * printed by `npm run bench`).
 */
const MR = 4, NR = 4;
/** Cache blocks: a packed KC×4 panel of B (8 KiB) stays in L1 while MC×KC of A (256 KiB) stays in L2. */
const BLOCKING: GemmBlocking = { kc: 256, mc: 128, nc: 2048 };
/** The heap holds copies of A and B, the packed blocks and C; past this the caller's plain-JS kernel is used. */
const MAX_HEAP_BYTES = 2 ** 30;

/** Block sizes (multiples of the register block), for tuning; the defaults are the ones measured best here. */
export interface GemmBlocking {
  kc: number;
  mc: number;
  nc: number;
}

export function createSimdGemm({ kc: KC, mc: MC, nc: NC }: GemmBlocking = BLOCKING): SimdGemm | undefined {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
  } catch {
    return undefined; // no WebAssembly, or no SIMD in this engine
  }
  const memory = instance.exports.memory as WebAssembly.Memory;
  type Pack = (src: number, rStride: number, pStride: number, rows: number, kc: number, dst: number) => void;
  const packA = instance.exports.packA as Pack, packB = instance.exports.packB as Pack;
  const compact = instance.exports.compact as (C: number, rows: number, from: number, to: number) => void;
  const macro = instance.exports.macro as (Ap: number, Bp: number, C: number, mc: number, nc: number, kc: number, ldc: number, accumulate: number) => void;
  let heap = new Float64Array(memory.buffer);
  const round16 = (bytes: number) => (bytes + 15) & ~15;

  return {
    product(A, transA, B, transB, a, k, b, out) {
      const aP = Math.ceil(a / MR) * MR, bP = Math.ceil(b / NR) * NR;
      // C's rows, in float64s: a multiple of 512 bytes apart would put a column of C tiles in a handful of
      // cache sets, so such a width is padded by one cache line.
      const cw = bP % 64 === 0 ? bP + 8 : bP;
      // The shared dimension in blocks of at most KC, of equal depth (784 = 4 × 196, not 3 × 256 + 16).
      const kcEven = Math.ceil(k / Math.ceil(k / KC));
      const kc0 = Math.min(kcEven, k), mc0 = Math.min(MC, aP), nc0 = Math.min(NC, bP);
      // Byte offsets: packed A block, packed B block, C (rows cw apart), then the copies of A and B.
      const offAp = 0;
      const offBp = round16(offAp + mc0 * kc0 * 8);
      const offC = round16(offBp + kc0 * nc0 * 8);
      const offA = round16(offC + aP * cw * 8);
      const offB = round16(offA + a * k * 8);
      const end = offB + k * b * 8;
      if (end > MAX_HEAP_BYTES) return false;
      if (end > memory.buffer.byteLength) {
        try {
          memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
        } catch {
          return false; // the engine would not give the memory: the caller's plain-JS kernel does it
        }
        heap = new Float64Array(memory.buffer); // growing detaches the old view
      }
      if (k === 0) return out.fill(0, 0, a * b), true;
      heap.set(A.length === a * k ? A : A.subarray(0, a * k), offA / 8);
      heap.set(B.length === k * b ? B : B.subarray(0, k * b), offB / 8);
      // Where op(A)[i][p] and op(B)[p][j] are: a panel's "rows" are rows of C for A, columns of C for B.
      const aRow = transA ? 8 : k * 8, aCol = transA ? a * 8 : 8;
      const bColumn = transB ? k * 8 : 8, bRow = transB ? 8 : b * 8;
      const ldc = cw * 8;
      for (let jc = 0; jc < bP; jc += NC) {
        const nc = Math.min(NC, bP - jc);
        for (let pc = 0; pc < k; pc += kcEven) {
          const kc = Math.min(kcEven, k - pc);
          packB(offB + jc * bColumn + pc * bRow, bColumn, bRow, Math.min(nc, b - jc), kc, offBp);
          for (let ic = 0; ic < aP; ic += MC) {
            const mc = Math.min(MC, aP - ic);
            packA(offA + ic * aRow + pc * aCol, aRow, aCol, Math.min(mc, a - ic), kc, offAp);
            macro(offAp, offBp, offC + ic * ldc + jc * 8, mc, nc, kc, ldc, pc > 0 ? 1 : 0);
          }
        }
      }
      if (cw !== b) compact(offC, a, cw * 8, b * 8); // C's rows moved together, b apart, in place
      out.set(heap.subarray(offC / 8, offC / 8 + a * b));
      return true;
    },
  };
}

// ---- The module. Pointers and strides are in bytes.

/** (a's low lane, b's low lane) and (a's high lane, b's high lane): i8x16.shuffle by byte. */
const lowLanes: Code = [0xfd, 0x0d, ...[0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]];
const highLanes: Code = [0xfd, 0x0d, ...[8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]];

export function moduleBytes(mr = MR, nr = NR): Uint8Array<ArrayBuffer> {
  return wasmModule([packFunction("packA", mr), packFunction("packB", nr), macroFunction(mr, nr), compactFunction()]);
}

/** compact(C, rows, from, to): rows `from` bytes apart moved to `to` (≤ from) bytes apart, in place. */
function compactFunction() {
  const [C, rows, from, to] = [0, 1, 2, 3];
  const [r] = [4];
  return {
    name: "compact",
    params: 4,
    locals: { i32: 1, v128: 0 },
    body: [
      i32(1), set(r),
      block(loop(
        get(r), get(rows), geU, breakIf(1),
        get(C), get(r), get(to), mul, add, // destination
        get(C), get(r), get(from), mul, add, // source
        get(to), memoryCopy,
        get(r), i32(1), add, set(r),
        br(0),
      )),
    ],
  };
}

/**
 * pack(src, rStride, pStride, rows, kc, dst): panels of W "rows" (rows of op(A), or columns of op(B)) of a
 * block kc deep, element (r, p) read at src + r·rStride + p·pStride, written as dst[panel][p][r]; a last
 * panel with fewer than W rows is padded with zeros (they meet only padding of C, which is dropped).
 */
function packFunction(name: string, W: number) {
  const [src, rStride, pStride, rows, kc, dst] = [0, 1, 2, 3, 4, 5];
  const [p, left, r, q, s] = [6, 7, 8, 9, 10];
  const rowPtr = (i: number) => 11 + i; // source pointers of the W rows of a full panel
  const pair = (i: number) => 11 + W + i; // v128: row i's numbers at p and p + 1
  const Rs = Array.from({ length: W }, (_, i) => i);
  const countdown = (...body: Code[]): Code => [...get(kc), ...set(p), ...block(loop(get(p), eqz, breakIf(1), ...body, get(p), i32(1), sub, set(p), br(0)))];
  const advance = (local: number, by: Code): Code => [...get(local), ...by, ...add, ...set(local)];
  const body: Code[] = [
    get(rows), set(left),
    block(loop(
      get(left), eqz, breakIf(1),
      ifElse(
        [get(left), i32(W), geU],
        [
          ifElse(
            [get(rStride), i32(8), eq],
            // W consecutive numbers per p (Aᵀ, or B as stored): vector copies.
            [get(src), set(q), countdown(
              ...Rs.filter((i) => i % 2 === 0).map((i) => [...get(dst), ...get(q), ...load(8 * i), ...store(8 * i)]),
              advance(q, get(pStride)), advance(dst, i32(8 * W)),
            )],
            // W rows apart (A as stored, or Bᵀ), each contiguous along p: two steps of p at a time, a
            // vector of two numbers from each row, pairs of rows interleaved by shuffles (a 2×2 transpose);
            // then one number from each row for an odd last step.
            [
              ...Rs.map((i) => (i === 0 ? [...get(src), ...set(rowPtr(0))] : [...get(rowPtr(i - 1)), ...get(rStride), ...add, ...set(rowPtr(i))])),
              get(kc), set(p),
              ...(W % 2 === 0
                ? [ifElse([get(pStride), i32(8), eq], [block(loop(
                    get(p), i32(2), ltU, breakIf(1),
                    ...Rs.map((i) => [...get(rowPtr(i)), ...load(0), ...set(pair(i))]),
                    ...Rs.filter((i) => i % 2 === 0).map((i) => [
                      ...get(dst), ...get(pair(i)), ...get(pair(i + 1)), ...lowLanes, ...store(8 * i),
                      ...get(dst), ...get(pair(i)), ...get(pair(i + 1)), ...highLanes, ...store(8 * (W + i)),
                    ]),
                    ...Rs.map((i) => advance(rowPtr(i), i32(16))),
                    advance(dst, i32(16 * W)),
                    get(p), i32(2), sub, set(p),
                    br(0),
                  ))])]
                : []),
              block(loop(
                get(p), eqz, breakIf(1),
                ...Rs.map((i) => [...get(dst), ...get(rowPtr(i)), ...f64Load(0), ...f64Store(8 * i)]),
                ...Rs.map((i) => advance(rowPtr(i), get(pStride))),
                advance(dst, i32(8 * W)),
                get(p), i32(1), sub, set(p),
                br(0),
              )),
            ],
          ),
          advance(src, [...get(rStride), ...i32(W), ...mul]),
          get(left), i32(W), sub, set(left),
        ],
        // The last, partial panel: the rows that exist, then zeros.
        [
          get(src), set(q),
          countdown(
            i32(0), set(r), get(q), set(s),
            block(loop(
              get(r), i32(W), geU, breakIf(1),
              ifElse(
                [get(r), get(left), ltU],
                [get(dst), get(r), i32(8), mul, add, get(s), f64Load(0), f64Store(0)],
                [get(dst), get(r), i32(8), mul, add, f64(0), f64Store(0)],
              ),
              advance(s, get(rStride)), advance(r, i32(1)),
              br(0),
            )),
            advance(q, get(pStride)), advance(dst, i32(8 * W)),
          ),
          i32(0), set(left),
        ],
      ),
      br(0),
    )),
  ];
  return { name, params: 6, locals: { i32: 5 + W, v128: W }, body };
}

/**
 * macro(Ap, Bp, C, mc, nc, kc, ldc, accumulate): C[0..mc)[0..nc) (rows ldc bytes apart) = (accumulate ? C : 0)
 * + Ap·Bp, for packed Ap (mc/MR panels, kc deep) and Bp (nc/NR panels), MR×NR blocks of C at a time.
 */
function macroFunction(MR: number, NR: number) {
  const [Ap, Bp, C, mc, nc, kc, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [ir, jr, paEnd, pa, pb, pc, q, panelBytes, pbBase] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const H = NR / 2; // f64x2 vectors per row of the block
  const acc = (r: number, h: number) => 17 + H * r + h; // C[ir+r][jr+2h .. jr+2h+1]
  const bv = (h: number) => 17 + MR * H + h;
  const av = 17 + MR * H + H;
  const R = Array.from({ length: MR }, (_, i) => i);
  const Hs = Array.from({ length: H }, (_, i) => i);
  // One step of p: B's row of the panel in H vectors, then each of A's MR numbers times it.
  const step: Code[] = [
    ...Hs.map((h) => [...get(pb), ...load(16 * h), ...set(bv(h))]),
    ...R.map((r) => [
      ...get(pa), ...loadSplat(8 * r), ...set(av),
      ...Hs.flatMap((h) => [...get(acc(r, h)), ...get(av), ...get(bv(h)), ...fmul, ...fadd, ...set(acc(r, h))]),
    ]),
  ];
  const body: Code[] = [
    get(kc), i32(8 * NR), mul, set(panelBytes),
    i32(0), set(jr), get(Bp), set(pbBase),
    block(loop(
      get(jr), get(nc), geU, breakIf(1),
      i32(0), set(ir), get(Ap), set(pa),
      block(loop(
        get(ir), get(mc), geU, breakIf(1),
        get(pbBase), set(pb),
        get(C), get(ir), get(ldc), mul, add, get(jr), i32(8), mul, add, set(pc),
        ifElse(
          [get(accumulate), i32(0), ne],
          [get(pc), set(q), ...R.map((r) => [...Hs.flatMap((h) => [...get(q), ...load(16 * h), ...set(acc(r, h))]), ...get(q), ...get(ldc), ...add, ...set(q)])],
          R.map((r) => Hs.flatMap((h) => [...zero, ...set(acc(r, h))])),
        ),
        // for p: C[ir..ir+MR)[jr..jr+NR) += Ap[.][p][0..MR) ⊗ Bp[.][p][0..NR). kc ≥ 1, so the test is at the
        // bottom, on the pointer into Ap itself: no counter, one compare per step.
        get(pa), get(kc), i32(8 * MR), mul, add, set(paEnd),
        loop(
          ...step,
          get(pa), i32(8 * MR), add, set(pa),
          get(pb), i32(8 * NR), add, set(pb),
          get(pa), get(paEnd), ne, breakIf(0),
        ),
        get(pc), set(q),
        ...R.map((r) => [...Hs.flatMap((h) => [...get(q), ...get(acc(r, h)), ...store(16 * h)]), ...get(q), ...get(ldc), ...add, ...set(q)]),
        get(ir), i32(MR), add, set(ir),
        br(0),
      )),
      get(jr), i32(NR), add, set(jr),
      get(pbBase), get(panelBytes), add, set(pbBase),
      br(0),
    )),
  ];
  return { name: "macro", params: 8, locals: { i32: 9, v128: MR * H + H + 1 }, body };
}
