/**
 * Training when a batch's gradient arrives asynchronously — from data-parallel workers, each computing a
 * shard of the batch: the same steps as `trainStream` (the loss at the params before the step, the
 * optimizer's pure step after it), but the batches are pulled one at a time, the next only once the
 * previous step is done, so nothing piles up while the workers compute.
 *
 * @example
 * trainStreamAsync((inputs, params) => pool.gradient(inputs, params), sgd({ lr: 0.1 }),
 *                  batchSequence({ X, Y }, { batchIds: ["X", "Y"], steps: 100 }), opt.init(params))
 *   .subscribe((s) => console.log(s.step, s.loss));
 */
import { Observable } from "rxjs";
import type { Tensor } from "../tensor/tensor.ts";
import type { Batch } from "./batches.ts";
import type { Optimizer, ParamState } from "./optimizer.ts";
import type { TrainStep } from "./trainStream.ts";

/** A batch's cost and dJ/dθ at the given params. */
export type AsyncGradient = (inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>) => Promise<{ loss: number; grads: Readonly<Record<string, Tensor>> }>;

export function trainStreamAsync(gradient: AsyncGradient, optimizer: Optimizer, batches: Iterable<Batch>, initial: ParamState): Observable<TrainStep> {
  return new Observable<TrainStep>((subscriber) => {
    let state = initial;
    const run = async () => {
      for (const batch of batches) {
        if (subscriber.closed) return;
        const { loss, grads } = await gradient(batch.inputs, state.params);
        if (subscriber.closed) return;
        state = optimizer.step(state, grads);
        // runtimeEpoch −1: the runtimes are the workers', not this process's.
        subscriber.next({ step: batch.step, epoch: batch.epoch, runtimeEpoch: -1, loss, grads, state });
      }
      subscriber.complete();
    };
    run().catch((e) => subscriber.error(e));
  });
}
