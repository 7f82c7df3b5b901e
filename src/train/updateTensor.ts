/**
 * The elementwise loop every optimizer is made of: a new tensor whose entries are f(i) for each index i of
 * a given shape. Optimizers write their update as one such loop per param and slot, so no tensor is ever
 * written after it has been handed out. (With `gradOf` and `zerosLike`, the optimizers' shared plumbing.)
 *
 * @example
 * const next = updateTensor(W, (i) => W.data[i] - lr * g.data[i]);
 */
import { type Tensor, tensor, zeros } from "../tensor/tensor.ts";

export function updateTensor(like: Tensor, f: (i: number) => number): Tensor {
  const out = new Float64Array(like.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(i);
  return tensor(like.shape[0], like.shape[1], out);
}

/** The gradient of a param, or an error naming it: a step with a missing gradient is a caller's bug. */
export function gradOf(grads: Readonly<Record<string, Tensor>>, id: string, like: Tensor): Tensor {
  const g = grads[id];
  if (!g) throw new RangeError(`no gradient for param '${id}'`);
  if (g.data.length !== like.data.length) throw new RangeError(`gradient of '${id}' has ${g.data.length} entries, the param has ${like.data.length}`);
  return g;
}

/** Zero tensors shaped like each param: the optimizers' slots before the first step. */
export function zerosLike(params: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const id of Object.keys(params)) out[id] = zeros(params[id].shape[0], params[id].shape[1]);
  return out;
}
