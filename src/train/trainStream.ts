/**
 * Training as a stream: batches → parameter states → losses. A `scan` over the batch stream carries the
 * optimizer's immutable state; at each batch it sets the batch's inputs and the current params into the
 * reactive runtime in one transaction, reads that transaction's loss and gradients (the runtime emits them
 * synchronously, all from the same epoch), and steps the optimizer. What comes out is one `TrainStep` per
 * batch: the loss at the params before the step (the course prints its costs this way) and the state
 * after it. With `accumulate: K` each step is K transactions, one per micro-batch, their gradients
 * combined by the weighted rule (see `runtimeGradient`).
 *
 * @example
 * const rt = createRuntime(graph, { inputs: { X, Y }, params });
 * const opt = sgd({ lr: 1.2 });
 * trainStream(rt, opt, batches$({ X, Y }, { batchIds: ["X", "Y"], steps: 10_000 }), opt.init(params))
 *   .pipe(last())
 *   .subscribe((s) => console.log(s.loss, s.state.params.W1));
 */
import { type Observable, defer, finalize, scan } from "rxjs";
import type { Runtime } from "../runtime/createRuntime.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { Batch } from "./batches.ts";
import type { Optimizer, ParamState } from "./optimizer.ts";
import { runtimeGradient } from "./runtimeGradient.ts";
import type { CombineRule } from "../verify/combineRule.ts";

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

export interface TrainStreamOptions {
  /**
   * Gradient accumulation: each update combines this many micro-batches of the batch, one runtime
   * transaction each, by the rule that fits the cost (`runtimeGradient`); the costs and params are those of
   * training without it, to rounding. Default 1.
   */
  readonly accumulate?: number;
  /** How micro-batches are combined (default: the rule that fits the cost; see `runtimeGradient`). */
  readonly combine?: CombineRule;
}

export function trainStream(runtime: Runtime, optimizer: Optimizer, batch$: Observable<Batch>, initial: ParamState, options: TrainStreamOptions = {}): Observable<TrainStep> {
  return defer(() => {
    const gradient = runtimeGradient(runtime, { params: Object.keys(initial.params), accumulate: options.accumulate, combine: options.combine });
    const first: TrainStep = { step: -1, epoch: -1, runtimeEpoch: -1, loss: NaN, grads: {}, state: initial };
    return batch$.pipe(
      scan((previous: TrainStep, batch: Batch): TrainStep => {
        const { loss, grads } = gradient.evaluate(batch.inputs, previous.state.params);
        return { step: batch.step, epoch: batch.epoch, runtimeEpoch: runtime.stats().epoch, loss, grads, state: optimizer.step(previous.state, grads) };
      }, first),
      finalize(() => gradient.close()),
    );
  });
}
