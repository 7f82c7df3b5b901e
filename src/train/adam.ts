/**
 * Adam (Kingma & Ba 2015), as the course writes it: first and second moments of the gradient as
 * exponentially weighted averages, corrected for their start at zero, and a step per entry of
 * η·m̂/(√v̂ + ε):
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  m̂ = m/(1−β1ᵗ),  v̂ = v/(1−β2ᵗ),  θ ← θ − η·m̂/(√v̂ + ε)
 * with t the number of the step (1 for the first).
 *
 * @example
 * const opt = adam({ lr: 0.01 });               // β1 0.9, β2 0.999, ε 1e-8
 * let s = opt.init(params); s = opt.step(s, grads); s.slots.m.W1, s.slots.v.W1
 */
import { castDraft, produce } from "immer";
import type { Optimizer } from "./optimizer.ts";
import { gradOf, updateTensor, zerosLike } from "./updateTensor.ts";

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export function adam({ lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 }: AdamOptions): Optimizer {
  return {
    name: "adam",
    hyper: { lr, beta1, beta2, epsilon },
    init: (params) => ({ step: 0, params, slots: { m: zerosLike(params), v: zerosLike(params) } }),
    step: (state, grads) => {
      const t = state.step + 1;
      const correct1 = 1 - beta1 ** t;
      const correct2 = 1 - beta2 ** t;
      return produce(state, (draft) => {
        for (const id of Object.keys(state.params)) {
          const p = state.params[id];
          const g = gradOf(grads, id, p).data;
          const m0 = state.slots.m[id].data, v0 = state.slots.v[id].data;
          const m = updateTensor(p, (i) => beta1 * m0[i] + (1 - beta1) * g[i]);
          const v = updateTensor(p, (i) => beta2 * v0[i] + (1 - beta2) * g[i] * g[i]);
          const w = p.data, md = m.data, vd = v.data;
          draft.slots.m[id] = castDraft(m);
          draft.slots.v[id] = castDraft(v);
          draft.params[id] = castDraft(updateTensor(p, (i) => w[i] - (lr * (md[i] / correct1)) / (Math.sqrt(vd[i] / correct2) + epsilon)));
        }
        draft.step = t;
      });
    },
  };
}
