/**
 * The course's gradient-checking distance between two gradients: ‖a − b‖ / (‖a‖ + ‖b‖), Frobenius norms.
 * It is 0 for equal gradients, 1 when one is zero and the other not, and scale-free. Two zero gradients
 * are equal (0, where the formula would give 0/0).
 *
 * @example
 * relativeDifference(fromRows([[1, 2]]), fromRows([[1, 2.000001]])) // ≈ 2.2e-7
 */
import type { Tensor } from "../tensor/tensor.ts";

export function relativeDifference(a: Tensor | Float64Array, b: Tensor | Float64Array): number {
  const x = "data" in a ? a.data : a;
  const y = "data" in b ? b.data : b;
  if (x.length !== y.length) throw new RangeError(`relativeDifference: ${x.length} and ${y.length} elements`);
  let diff = 0, nx = 0, ny = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    diff += d * d;
    nx += x[i] * x[i];
    ny += y[i] * y[i];
  }
  const denominator = Math.sqrt(nx) + Math.sqrt(ny);
  return denominator === 0 ? 0 : Math.sqrt(diff) / denominator;
}
