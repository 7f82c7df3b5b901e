/**
 * Plain (mini-batch) gradient descent: θ ← θ − η·dJ/dθ. This is the course's `update_parameters`.
 *
 * @example
 * const opt = sgd({ lr: 1.2 });
 * const next = opt.step(opt.init(params), grads);
 */
import { castDraft, produce } from "immer";
import type { Optimizer } from "./optimizer.ts";
import { gradOf, updateTensor } from "./updateTensor.ts";
import type { Tensor } from "../tensor/tensor.ts";

export interface SgdOptions {
  /** Learning rate η. */
  lr: number;
}

export function sgd({ lr }: SgdOptions): Optimizer {
  return {
    name: "sgd",
    hyper: { lr },
    init: (params) => ({ step: 0, params, slots: {} }),
    step: (state, grads) => {
      const params: Record<string, Tensor> = {};
      for (const id of Object.keys(state.params)) {
        const p = state.params[id];
        const w = p.data, d = gradOf(grads, id, p).data;
        params[id] = updateTensor(p, (i) => w[i] - lr * d[i]);
      }
      // Every param is new, so the record is replaced whole rather than drafted key by key (half the cost).
      return produce(state, (draft) => {
        draft.params = castDraft(params);
        draft.step = state.step + 1;
      });
    },
  };
}
