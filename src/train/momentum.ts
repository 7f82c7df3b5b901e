/**
 * Gradient descent with momentum, in the course's form (an exponentially weighted average of the
 * gradients): v ← β·v + (1−β)·dJ/dθ, θ ← θ − η·v, with v starting at zeros. (Frameworks such as PyTorch
 * drop the (1−β); their η is then (1−β) times the course's.)
 *
 * @example
 * const opt = momentum({ lr: 0.1 });            // β = 0.9
 * let s = opt.init(params); s = opt.step(s, grads); s.slots.velocity.W1
 */
import { castDraft, produce } from "immer";
import type { Optimizer } from "./optimizer.ts";
import { gradOf, updateTensor, zerosLike } from "./updateTensor.ts";

export interface MomentumOptions {
  lr: number;
  /** Weight of the past in the average. Default 0.9. */
  beta?: number;
}

export function momentum({ lr, beta = 0.9 }: MomentumOptions): Optimizer {
  return {
    name: "momentum",
    hyper: { lr, beta },
    init: (params) => ({ step: 0, params, slots: { velocity: zerosLike(params) } }),
    step: (state, grads) =>
      produce(state, (draft) => {
        for (const id of Object.keys(state.params)) {
          const p = state.params[id];
          const g = gradOf(grads, id, p).data;
          const v0 = state.slots.velocity[id].data;
          const v = updateTensor(p, (i) => beta * v0[i] + (1 - beta) * g[i]);
          const w = p.data, vd = v.data;
          draft.slots.velocity[id] = castDraft(v);
          draft.params[id] = castDraft(updateTensor(p, (i) => w[i] - lr * vd[i]));
        }
        draft.step = state.step + 1;
      }),
  };
}
