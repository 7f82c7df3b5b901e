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

export interface SgdOptions {
  /** Learning rate η. */
  lr: number;
}

export function sgd({ lr }: SgdOptions): Optimizer {
  return {
    name: "sgd",
    hyper: { lr },
    init: (params) => ({ step: 0, params, slots: {} }),
    step: (state, grads) =>
      produce(state, (draft) => {
        for (const id of Object.keys(state.params)) {
          const p = state.params[id];
          const g = gradOf(grads, id, p);
          const w = p.data, d = g.data;
          draft.params[id] = castDraft(updateTensor(p, (i) => w[i] - lr * d[i]));
        }
        draft.step = state.step + 1;
      }),
  };
}
