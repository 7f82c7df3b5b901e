/**
 * Per-sample gradients come in chunks of consecutive samples, so that all m of them never need to be in
 * memory at once: a chunk holds, for each param, `count` gradients one after another (sample `start + i`
 * at elements [i·size, (i+1)·size), row-major like the param). The folds below consume a stream of chunks.
 *
 * @example
 * const mean = meanOfChunks(perSampleGradsBySlicing(graph, values), graph); // Map param → Tensor
 */
import type { Graph } from "../graph/graph.ts";
import { type Tensor, tensor } from "../tensor/tensor.ts";

/** Per-sample gradients of consecutive samples start … start + count − 1. */
export interface PerSampleChunk {
  /** Index of the chunk's first sample in the batch. */
  readonly start: number;
  /** Number of samples in the chunk. */
  readonly count: number;
  /** param id → `count` per-sample gradients ∇Lᵢ (unscaled: no 1/m), concatenated. */
  readonly grads: ReadonlyMap<string, Float64Array>;
}

/** Options of `perSampleGradsBySlicing` and `perSampleGradsVectorised`. */
export interface PerSampleOptions {
  /**
   * Samples per chunk: the per-sample gradients in memory at once. Default: as many as fit in 1 MiB (at
   * least 1, at most 256), so a chunk is still in cache when it is consumed — for a 784→128→10 network
   * (101,770 params, 0.8 MB per sample) that is one sample per chunk.
   */
  chunkSize?: number;
  /** Params to differentiate (default: every param of the graph). */
  params?: readonly string[];
  /**
   * Write every chunk into the same buffers (default false). Memory then stays at one chunk whatever the
   * garbage collector does, but a chunk is only valid until the next one is requested: consume it or copy it
   * (`collectChunks` copies; spreading the generator into an array does not).
   */
  reuseBuffers?: boolean;
}

/** The chunk size to use: the one asked for, or the default for gradients of `entries` numbers per sample. */
export function chunkSizeFor(opts: PerSampleOptions, entries: number): number {
  if (opts.chunkSize !== undefined) return Math.max(1, Math.floor(opts.chunkSize));
  return Math.min(256, Math.max(1, Math.floor(2 ** 20 / (8 * Math.max(1, entries)))));
}

/** One chunk to fill: samples start … start+count−1, and for each param a buffer of count × its size. */
export interface ChunkToFill {
  start: number;
  count: number;
  /** Entries per sample of each param, in `params` order. */
  sizes: readonly number[];
  buffers: Float64Array[];
}

/**
 * Cuts m samples into chunks and gives each chunk its output buffers: fresh ones, or with `reuseBuffers`
 * the same memory every time (the first chunk's size), so memory is bounded by the chunk, not by m.
 */
export function* chunksToFill(values: ReadonlyMap<string, Tensor>, params: readonly string[], m: number, opts: PerSampleOptions): Generator<ChunkToFill> {
  const sizes = params.map((id) => values.get(id)!.data.length);
  const chunkSize = chunkSizeFor(opts, sizes.reduce((a, b) => a + b, 0));
  const reused = opts.reuseBuffers ? sizes.map((size) => new Float64Array(Math.min(chunkSize, m) * size)) : undefined;
  for (let start = 0; start < m; start += chunkSize) {
    const count = Math.min(chunkSize, m - start);
    const buffers = sizes.map((size, p) => (reused ? reused[p].subarray(0, count * size) : new Float64Array(count * size)));
    yield { start, count, sizes, buffers };
  }
}

/** The mean over all samples of the per-sample gradients, per param. */
export function meanOfChunks(chunks: Iterable<PerSampleChunk>, graph: Graph): Map<string, Tensor> {
  const sums = new Map<string, Float64Array>();
  let m = 0;
  for (const chunk of chunks) {
    m += chunk.count;
    for (const [id, g] of chunk.grads) {
      const size = g.length / chunk.count;
      let acc = sums.get(id);
      if (!acc) sums.set(id, (acc = new Float64Array(size)));
      for (let i = 0; i < chunk.count; i++) for (let k = 0, o = i * size; k < size; k++) acc[k] += g[o + k];
    }
  }
  const out = new Map<string, Tensor>();
  for (const [id, acc] of sums) {
    const [r, c] = graph.params.find((p) => p.id === id)!.shape;
    for (let k = 0; k < acc.length; k++) acc[k] /= m;
    out.set(id, tensor(r, c, acc));
  }
  return out;
}

/** Every per-sample gradient as its own tensor: param id → one Tensor per sample. Holds all m in memory. */
export function collectChunks(chunks: Iterable<PerSampleChunk>, graph: Graph): Map<string, Tensor[]> {
  const out = new Map<string, Tensor[]>();
  for (const chunk of chunks) {
    for (const [id, g] of chunk.grads) {
      const [r, c] = graph.params.find((p) => p.id === id)!.shape;
      const list = out.get(id) ?? out.set(id, []).get(id)!;
      for (let i = 0; i < chunk.count; i++) list.push(tensor(r, c, g.slice(i * r * c, (i + 1) * r * c)));
    }
  }
  return out;
}
