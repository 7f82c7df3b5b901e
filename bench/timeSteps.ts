/**
 * Times a step function the way a benchmark should on a shared, noisy machine: a warm-up so the JIT has
 * compiled the hot loops, then several timed batches of repetitions; the median batch is the figure (a
 * mean would be dragged by the batches another process happened to interrupt). To compare several step
 * functions in one run, timeInterleaved.ts takes their batches in turns.
 *
 * @example
 * const t = timeSteps(() => step(), { batches: 9, budgetMs: 3000 });
 * console.log(t.median.toFixed(2), "ms/step");
 */
export interface StepTiming {
  /** Median over batches of the mean ms/step within a batch. */
  median: number;
  /** Fastest and slowest batch, ms/step: the spread the noise caused. */
  min: number;
  max: number;
  /** Steps per timed batch. */
  stepsPerBatch: number;
  batches: number;
}

export interface TimeOptions {
  /** Timed batches (odd, so the median is one of them). */
  batches?: number;
  /** Rough wall-clock budget for the timed batches together, ms; decides the steps per batch. */
  budgetMs?: number;
  /** Warm-up time before timing, ms. */
  warmupMs?: number;
}

export function timeSteps(step: () => void, { batches = 9, budgetMs = 4000, warmupMs = 800 }: TimeOptions = {}): StepTiming {
  // Warm up until warmupMs has passed (at least a few calls, so every code path has been compiled).
  let calls = 0;
  const w0 = performance.now();
  while (calls < 5 || performance.now() - w0 < warmupMs) {
    step();
    calls++;
  }
  const perStep = (performance.now() - w0) / calls;
  const stepsPerBatch = Math.max(1, Math.round(budgetMs / batches / perStep));
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let s = 0; s < stepsPerBatch; s++) step();
    times.push((performance.now() - t0) / stepsPerBatch);
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1], min: times[0], max: times[times.length - 1], stepsPerBatch, batches };
}
