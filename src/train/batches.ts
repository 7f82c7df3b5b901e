/**
 * The batch stream that drives training: full-batch (the same input tensors every step) or mini-batches
 * cut from a fresh seeded shuffle of the samples at every epoch, the last batch of an epoch holding what
 * is left (the course's `random_mini_batches`). Emission is synchronous unless `yieldEveryMs` is given;
 * then the stream hands the event loop back every so often, so a progress bar can redraw and Ctrl-C be
 * heard, without changing which batches come.
 *
 * @example
 * batches$({ X, Y }, { batchIds: ["X", "Y"], steps: 1000, batchSize: 64, seed: 1 })
 *   .subscribe((b) => b.inputs.X.shape) // [2, 64], ..., then [2, m mod 64] at the end of each epoch
 */
import { Observable } from "rxjs";
import type { Tensor } from "../tensor/tensor.ts";
import { selectColumns } from "../tensor/selectColumns.ts";
import { createRng } from "../data/random.ts";

export interface Batch {
  /** The step this batch is for, from 0. */
  readonly step: number;
  /** The pass over the data it belongs to, from 0. */
  readonly epoch: number;
  /** Every input: the batched ones cut to this batch's columns, the others as given. */
  readonly inputs: Readonly<Record<string, Tensor>>;
}

export interface BatchPlan {
  /** The inputs whose columns are samples (declared `[rows, m]`); they are cut into batches. */
  readonly batchIds: readonly string[];
  /** Number of batches to emit. */
  readonly steps: number;
  /** Samples per batch; absent, or ≥ m, means full batch (no shuffling). */
  readonly batchSize?: number;
  /** Seed of the shuffles. */
  readonly seed?: number;
  /** Give the event loop back after emitting for this long (ms). Absent: emit everything synchronously. */
  readonly yieldEveryMs?: number;
}

/** Batches per epoch for m samples. */
export function batchesPerEpoch(m: number, batchSize?: number): number {
  return batchSize === undefined || batchSize >= m ? 1 : Math.ceil(m / batchSize);
}

export function batches$(inputs: Readonly<Record<string, Tensor>>, plan: BatchPlan): Observable<Batch> {
  return new Observable<Batch>((subscriber) => {
    const source = batchSequence(inputs, plan);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      const started = performance.now();
      for (;;) {
        const next = source.next();
        if (next.done) return subscriber.complete();
        subscriber.next(next.value);
        if (subscriber.closed) return;
        if (plan.yieldEveryMs !== undefined && performance.now() - started >= plan.yieldEveryMs) {
          timer = setTimeout(run, 0);
          return;
        }
      }
    };
    run();
    return () => clearTimeout(timer);
  });
}

/** The same batches as `batches$`, pulled one at a time (for training that waits on each step). */
export function* batchSequence(inputs: Readonly<Record<string, Tensor>>, plan: BatchPlan): Generator<Batch> {
  const m = inputs[plan.batchIds[0]]?.shape[1] ?? 1;
  const perEpoch = batchesPerEpoch(m, plan.batchSize);
  if (perEpoch === 1) {
    for (let step = 0; step < plan.steps; step++) yield { step, epoch: step, inputs };
    return;
  }
  const size = plan.batchSize!;
  const rng = createRng(plan.seed ?? 1);
  const order = Int32Array.from({ length: m }, (_, j) => j);
  for (let step = 0; step < plan.steps; step++) {
    const k = step % perEpoch;
    if (k === 0) shuffle(order, rng.int);
    const columns = order.subarray(k * size, Math.min(m, (k + 1) * size));
    const cut: Record<string, Tensor> = { ...inputs };
    for (const id of plan.batchIds) cut[id] = selectColumns(inputs[id], columns);
    yield { step, epoch: Math.floor(step / perEpoch), inputs: cut };
  }
}

/** Fisher–Yates, in place. */
function shuffle(order: Int32Array, int: (n: number) => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
