/**
 * Reads a mismatch between two gradients as a scale, so a failed check can say "1/m applied twice" instead
 * of "mismatch". The ratio is the least-squares scale ⟨a,b⟩/⟨b,b⟩; it is "pure" when a is that multiple of
 * b (relative difference ≤ `tolerance`, 1e-8 by default; finite differences need a looser one), and its
 * `power` is k when the ratio is factor^k for a small integer k (factor is m, or 2 when the batch was
 * duplicated).
 *
 * @example
 * diagnoseScale(batch, meanPerSample, 2) // { ratio: 0.5, pure: true, power: -1 } when 1/m is applied twice at m = 2
 */
import type { Tensor } from "../tensor/tensor.ts";
import { relativeDifference } from "./relativeDifference.ts";

/** A mismatch read as a scale. */
export interface ScaleDiagnosis {
  /** observed ÷ reference, by least squares; NaN when the reference is zero. */
  ratio: number;
  /** observed = ratio × reference up to the tolerance. */
  pure: boolean;
  /** k when the ratio is factor^k for k in −3..3 and the scale is pure; absent otherwise. */
  power?: number;
}

export function diagnoseScale(observed: Tensor | Float64Array, reference: Tensor | Float64Array, factor: number, tolerance = 1e-8): ScaleDiagnosis {
  const a = "data" in observed ? observed.data : observed;
  const b = "data" in reference ? reference.data : reference;
  let ab = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    bb += b[i] * b[i];
  }
  const ratio = bb === 0 ? NaN : ab / bb;
  if (!Number.isFinite(ratio)) return { ratio, pure: false };
  const scaled = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) scaled[i] = ratio * b[i];
  const pure = relativeDifference(a, scaled) <= tolerance;
  if (!pure || factor <= 1) return { ratio, pure };
  for (let k = -3; k <= 3; k++) if (Math.abs(ratio / factor ** k - 1) <= 4 * tolerance) return { ratio, pure, power: k };
  return { ratio, pure };
}
