/**
 * An immutable, consistent view of a runtime at one epoch: every value and every gradient dJ/d(id).
 * Snapshots are made with immer from the previous one, so tensors that did not change are shared.
 *
 * @example
 * const s = runtime.snapshot(); s.epoch; s.values.J.data[0]; s.grads.W1
 */
import type { Tensor } from "../tensor/tensor.ts";

export interface Snapshot {
  readonly epoch: number;
  readonly values: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
}
