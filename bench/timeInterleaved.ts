/**
 * Times several step functions the way a benchmark should on a shared, noisy machine: each is warmed up so
 * the JIT has compiled its hot loops, then timed batches of repetitions are taken in turns (A, B, C, A, B,
 * C, ...), so a slow spell caused by another process falls on all of them rather than on whichever happened
 * to run then. The figure for each is its median batch (a mean would be dragged by interrupted batches).
 *
 * @example
 * const t = timeInterleaved({ ours: () => step(), peer: () => peerStep() }, { batches: 9, budgetMs: 8000 });
 * console.log(t.ours.median.toFixed(2), "ms/step");
 */
export interface StepTiming {
  /** Median over batches of the mean ms/step within a batch. */
  median: number;
  /** Fastest and slowest batch, ms/step: the spread the noise caused. */
  min: number;
  max: number;
  /** Steps per timed batch. */
  stepsPerBatch: number;
}

export interface TimeOptions {
  /** Timed batches per step function (odd, so the median is one of them). */
  batches?: number;
  /** Rough wall-clock budget for all timed batches together, ms; shared equally by the step functions. */
  budgetMs?: number;
  /** Warm-up time per step function, ms. */
  warmupMs?: number;
}

export function timeInterleaved<K extends string>(steps: Record<K, () => void>, { batches = 9, budgetMs = 12000, warmupMs = 800 }: TimeOptions = {}): Record<K, StepTiming> {
  const names = Object.keys(steps) as K[];
  const perBatchMs = budgetMs / names.length / batches;
  const stepsPerBatch = {} as Record<K, number>;
  for (const name of names) {
    const step = steps[name];
    let calls = 0;
    const t0 = performance.now();
    while (calls < 5 || performance.now() - t0 < warmupMs) {
      step();
      calls++;
    }
    stepsPerBatch[name] = Math.max(1, Math.round(perBatchMs / ((performance.now() - t0) / calls)));
  }
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let b = 0; b < batches; b++) {
    for (const name of names) {
      const step = steps[name], n = stepsPerBatch[name];
      const t0 = performance.now();
      for (let s = 0; s < n; s++) step();
      times[name].push((performance.now() - t0) / n);
    }
  }
  const out = {} as Record<K, StepTiming>;
  for (const name of names) {
    const t = times[name].sort((x, y) => x - y);
    out[name] = { median: t[t.length >> 1], min: t[0], max: t[t.length - 1], stepsPerBatch: stepsPerBatch[name] };
  }
  return out;
}
