/**
 * numpy's `linspace`: n evenly spaced numbers from `start` to `stop`, both included (or `stop` excluded
 * with `endpoint: false`), computed as numpy does, start + i·step, so the generators follow their
 * originals' recipes.
 *
 * @example
 * linspace(0, 1, 5)                        // [0, 0.25, 0.5, 0.75, 1]
 * linspace(0, 2 * Math.PI, 4, false)       // [0, π/2, π, 3π/2]
 */
export function linspace(start: number, stop: number, n: number, endpoint = true): Float64Array {
  const out = new Float64Array(n);
  const div = endpoint ? n - 1 : n;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  if (endpoint && n > 1) out[n - 1] = stop;
  return out;
}
