/**
 * Memory figures for the benchmarks: the collector made callable (V8's `gc`, exposed at run time so the
 * scripts still run as `tsx bench/x.ts`), the live heap and ArrayBuffer storage after a full collection,
 * and the bytes a step allocates.
 *
 * Bytes per step: after a full collection, a few steps run and the growth of the JS heap plus ArrayBuffer
 * storage (where every Float64Array's numbers live) is divided by their number. A window during which the
 * collector ran is thrown away (its growth would be net of what it freed); the figure is the median of the
 * windows kept.
 *
 * @example
 * const { bytesPerStep } = await allocationPerStep(() => net.step());
 * const { heap, external } = await settledMemory();
 */
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects twice with a pause (V8 frees ArrayBuffer storage on a background sweeper). */
export async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc();
    await pause(20);
  }
}

/** The JS heap in use and the ArrayBuffer storage, in bytes, after a full collection. */
export async function settledMemory(): Promise<{ heap: number; external: number }> {
  await collect();
  const u = process.memoryUsage();
  return { heap: u.heapUsed, external: u.arrayBuffers };
}

export async function allocationPerStep(step: () => void, { stepsPerWindow = 4, windows = 9 } = {}): Promise<{ bytesPerStep: number; windowsKept: number }> {
  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) collections.push(e.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });
  const kept: number[] = [];
  for (let w = 0; w < windows; w++) {
    await collect();
    await pause(5); // let the observer deliver the collections just made
    const t0 = performance.now();
    const before = process.memoryUsage();
    for (let s = 0; s < stepsPerWindow; s++) step();
    const after = process.memoryUsage();
    const t1 = performance.now();
    await pause(5);
    if (collections.some((t) => t >= t0 && t <= t1)) continue;
    kept.push((after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / stepsPerWindow);
  }
  observer.disconnect();
  kept.sort((a, b) => a - b);
  return { bytesPerStep: kept.length ? kept[kept.length >> 1] : NaN, windowsKept: kept.length };
}
