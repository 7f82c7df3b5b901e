/**
 * Training as a stream: batches → parameter states → losses. A `scan` over the batch stream carries the
 * optimizer's immutable state; at each batch it sets the batch's inputs and the current params into the
 * reactive runtime in one transaction, reads that transaction's loss and gradients (the runtime emits them
 * synchronously, all from the same epoch), and steps the optimizer. What comes out is one `TrainStep` per
 * batch: the loss at the params before the step (the course prints its costs this way) and the state
 * after it.
 *
 * @example
 * const rt = createRuntime(graph, { inputs: { X, Y }, params });
 * const opt = sgd({ lr: 1.2 });
 * trainStream(rt, opt, batches$({ X, Y }, { batchIds: ["X", "Y"], steps: 10_000 }), opt.init(params))
 *   .pipe(last())
 *   .subscribe((s) => console.log(s.loss, s.state.params.W1));
 */
import { type Observable, Subscription, defer, finalize, scan } from "rxjs";
import type { Runtime } from "../runtime/createRuntime.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { Batch } from "./batches.ts";
import type { Optimizer, ParamState } from "./optimizer.ts";

export interface TrainStep {
  /** The step, from 0. */
  readonly step: number;
  /** The pass over the data, from 0. */
  readonly epoch: number;
  /** The runtime's transaction the loss and gradients came from. */
  readonly runtimeEpoch: number;
  /** The cost on this batch at the params before the step. */
  readonly loss: number;
  /** dJ/d(param) on this batch at those params. */
  readonly grads: Readonly<Record<string, Tensor>>;
  /** The optimizer state after the step. */
  readonly state: ParamState;
}

export function trainStream(runtime: Runtime, optimizer: Optimizer, batch$: Observable<Batch>, initial: ParamState): Observable<TrainStep> {
  return defer(() => {
    const graph = runtime.graph;
    const paramIds = Object.keys(initial.params);
    // Observing the loss and the params' gradients keeps exactly those cells (and what they need) live:
    // each transaction recomputes them once, and nothing else (no dJ/dX).
    let loss = NaN;
    const grads: Record<string, Tensor> = {};
    const watching = new Subscription();
    watching.add(runtime.value$(graph.loss).subscribe((t) => (loss = t.data[0])));
    for (const id of paramIds) watching.add(runtime.grad$(id).subscribe((g) => (grads[id] = g)));
    let lastInputs: Readonly<Record<string, Tensor>> = {};

    const first: TrainStep = { step: -1, epoch: -1, runtimeEpoch: -1, loss: NaN, grads: {}, state: initial };
    return batch$.pipe(
      scan((previous: TrainStep, batch: Batch): TrainStep => {
        const state = previous.state;
        runtime.transaction(() => {
          // A full batch hands the same tensors every step; they are set once, so X does not count as
          // changed and nothing that depends on X alone is recomputed.
          const changed: Record<string, Tensor> = {};
          for (const id of Object.keys(batch.inputs)) if (batch.inputs[id] !== lastInputs[id]) changed[id] = batch.inputs[id];
          runtime.set({ ...changed, ...state.params });
        });
        lastInputs = batch.inputs;
        const stepGrads = { ...grads };
        return { step: batch.step, epoch: batch.epoch, runtimeEpoch: runtime.stats().epoch, loss, grads: stepGrads, state: optimizer.step(state, stepGrads) };
      }, first),
      finalize(() => watching.unsubscribe()),
    );
  });
}
