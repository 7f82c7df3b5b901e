/**
 * Just enough of a WebAssembly assembler to write gradstream's few kernels by hand: instruction encodings
 * from the core spec's binary format and its SIMD and bulk-memory extensions, and a module writer. Nothing
 * is built or downloaded; a kernel is a list of these byte sequences.
 *
 * @example
 * const bytes = wasmModule([{ name: "zero", params: 1, locals: { i32: 0, v128: 0 },
 *   body: [get(0), f64(0), f64Store(0)] }]); // zero(ptr): *(f64*)ptr = 0, and the module's "memory"
 */

export type Code = number[];

const uleb = (n: number): Code => {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};

const sleb = (n: number): Code => {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return out.push(byte), out;
    out.push(byte | 0x80);
  }
};

const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const name = (s: string): Code => vec([...s].map((c) => [c.charCodeAt(0)]));

const I32 = 0x7f, V128 = 0x7b;

// ---- locals and constants
export const get = (local: number): Code => [0x20, ...uleb(local)];
export const set = (local: number): Code => [0x21, ...uleb(local)];
export const tee = (local: number): Code => [0x22, ...uleb(local)];
export const i32 = (n: number): Code => [0x41, ...sleb(n)];
export const f64 = (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];

// ---- i32 arithmetic and comparisons
export const add: Code = [0x6a];
export const sub: Code = [0x6b];
export const mul: Code = [0x6c];
export const eqz: Code = [0x45];
export const eq: Code = [0x46];
export const ne: Code = [0x47];
export const ltU: Code = [0x49];
export const geU: Code = [0x4f];

// ---- memory: alignment hint 8 bytes, then a constant offset
export const f64Load = (offset: number): Code => [0x2b, 3, ...uleb(offset)];
export const f64Store = (offset: number): Code => [0x39, 3, ...uleb(offset)];
const simd = (op: number, ...immediates: number[]): Code => [0xfd, ...uleb(op), ...immediates];
export const load = (offset: number): Code => simd(0x00, 3, ...uleb(offset)); // v128.load
export const store = (offset: number): Code => simd(0x0b, 3, ...uleb(offset)); // v128.store
export const loadSplat = (offset: number): Code => simd(0x0a, 3, ...uleb(offset)); // v128.load64_splat
export const zero: Code = simd(0x0c, ...new Array(16).fill(0)); // v128.const 0
export const fadd: Code = simd(0xf0); // f64x2.add
export const fmul: Code = simd(0xf2); // f64x2.mul
/** memory.copy(dest, src, bytes), overlapping allowed */
export const memoryCopy: Code = [0xfc, ...uleb(10), 0x00, 0x00];

// ---- control
export const block = (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b];
/** if (condition) then else otherwise. */
export const ifElse = (condition: Code[], then: Code[], otherwise: Code[] = []): Code => [...condition.flat(), 0x04, 0x40, ...then.flat(), ...(otherwise.length ? [0x05, ...otherwise.flat()] : []), 0x0b];
export const breakIf = (depth: number): Code => [0x0d, ...uleb(depth)];
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];

export interface WasmFunction {
  readonly name: string;
  /** All parameters are i32. */
  readonly params: number;
  /** Locals after the parameters: first the i32s, then the v128s. */
  readonly locals: { readonly i32: number; readonly v128: number };
  readonly body: readonly Code[];
}

/** A module exporting one memory ("memory", one page, grown on demand) and the given functions, all `(i32…) → ()`. */
export function wasmModule(functions: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(functions.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...vec(new Array(n).fill([I32])), ...vec([])]);
  const codes = functions.map((f) => {
    const code = [...vec([[...uleb(f.locals.i32), I32], [...uleb(f.locals.v128), V128]]), ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page to start
    ...section(7, vec([...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]), [...name("memory"), 0x02, 0]])),
    ...section(10, vec(codes)),
  ]);
}
