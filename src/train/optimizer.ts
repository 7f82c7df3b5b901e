/**
 * What an optimizer is: a pure step from one immutable parameter state to the next. The state holds the
 * params and the optimizer's own slots (a velocity per param for momentum, two moments for adam) and the
 * number of steps taken; a step never mutates it, it returns a new one (made with immer, so the old state
 * stays valid and frozen, and a step can be replayed, compared or undone).
 *
 * @example
 * const opt = sgd({ lr: 0.1 });
 * let state = opt.init({ W: fromRows([[1, 2]]) });
 * state = opt.step(state, { W: fromRows([[0.5, -1]]) }); // state.params.W is [[0.95, 2.1]]
 */
import type { Tensor } from "../tensor/tensor.ts";

/** Tensors by param id. */
export type ParamTensors = Readonly<Record<string, Tensor>>;

export interface ParamState {
  /** Steps taken so far (adam's bias correction uses it). */
  readonly step: number;
  readonly params: ParamTensors;
  /** Per slot name (`velocity`, `m`, `v`), a tensor per param. Empty for sgd. */
  readonly slots: Readonly<Record<string, ParamTensors>>;
}

export interface Optimizer {
  readonly name: string;
  /** The hyper-parameters in effect, defaults filled in (for reports). */
  readonly hyper: Readonly<Record<string, number>>;
  /** The state before the first step: the params, and zeroed slots. */
  init(params: ParamTensors): ParamState;
  /** The next state given dJ/d(param) for every param of `state`. Pure: `state` is left as it was. */
  step(state: ParamState, grads: ParamTensors): ParamState;
}
