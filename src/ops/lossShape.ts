/** Shape rule shared by the per-sample losses: prediction and target of one shape `[n,m]` → `[1,m]`. */
import type { Shape } from "./op.ts";
import { knownDim, sameDim, showShape } from "./op.ts";

export function perSampleLossShape(name: string, [a, y]: readonly Shape[], rows?: 1): Shape | string {
  if (!sameDim(a[0], y[0]) || !sameDim(a[1], y[1])) return `${name}: prediction ${showShape(a)} and target ${showShape(y)} differ in shape`;
  if (rows === 1 && !sameDim(a[0], 1)) return `${name}: expects one row of predictions [1,m], got ${showShape(a)}`;
  return [1, knownDim(a[1], y[1])];
}
