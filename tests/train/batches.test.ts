/**
 * The batch stream: full batch hands the same tensors every step; mini-batches cover every sample once
 * per epoch, in an order fixed by the seed, with the remainder in the last batch; pacing (yielding to the
 * event loop) does not change which batches come.
 */
import { describe, expect, it } from "vitest";
import { firstValueFrom, toArray } from "rxjs";
import { fromRows } from "../helpers/tensors.ts";
import { batches$, batchesPerEpoch, type Batch } from "../../src/train/batches.ts";
import { selectColumns } from "../../src/tensor/selectColumns.ts";

const m = 10;
const X = fromRows([Array.from({ length: m }, (_, j) => j), Array.from({ length: m }, (_, j) => 100 + j)]);
const Y = fromRows([Array.from({ length: m }, (_, j) => j % 2)]);
const K = fromRows([[7]]); // an input without samples: passed through uncut

const collect = (plan: Parameters<typeof batches$>[1]) => firstValueFrom(batches$({ X, Y, K }, plan).pipe(toArray()));
const sampleIds = (b: Batch) => Array.from(b.inputs.X.data.subarray(0, b.inputs.X.shape[1]));

describe("batches$", () => {
  it("full batch: the same tensors, `steps` times, one epoch per step", async () => {
    const out = await collect({ batchIds: ["X", "Y"], steps: 3 });
    expect(out.map((b) => [b.step, b.epoch])).toEqual([[0, 0], [1, 1], [2, 2]]);
    for (const b of out) expect(b.inputs.X).toBe(X);
    expect(batchesPerEpoch(m, undefined)).toBe(1);
    expect(batchesPerEpoch(m, m + 5)).toBe(1);
  });

  it("mini-batches: each epoch is a permutation of the samples, cut into ⌈m/B⌉ batches, the last one short", async () => {
    const out = await collect({ batchIds: ["X", "Y"], steps: 8, batchSize: 4, seed: 3 });
    expect(batchesPerEpoch(m, 4)).toBe(3);
    expect(out.map((b) => b.inputs.X.shape[1])).toEqual([4, 4, 2, 4, 4, 2, 4, 4]);
    expect(out.map((b) => b.epoch)).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
    for (const epoch of [0, 1]) {
      const seen = out.filter((b) => b.epoch === epoch).flatMap(sampleIds);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: m }, (_, j) => j));
    }
    // Columns stay together: row 2 of X and Y belong to the same sample as row 1.
    for (const b of out) {
      const ids = sampleIds(b);
      expect(Array.from(b.inputs.X.data.subarray(b.inputs.X.shape[1]))).toEqual(ids.map((j) => 100 + j));
      expect(Array.from(b.inputs.Y.data)).toEqual(ids.map((j) => j % 2));
      expect(b.inputs.K).toBe(K);
    }
    // A new shuffle each epoch (for this seed the two orders differ).
    expect(out.filter((b) => b.epoch === 0).flatMap(sampleIds)).not.toEqual(out.filter((b) => b.epoch === 1).flatMap(sampleIds));
  });

  it("the seed fixes the order; another seed gives another", async () => {
    const order = async (seed: number) => (await collect({ batchIds: ["X", "Y"], steps: 3, batchSize: 4, seed })).flatMap(sampleIds);
    expect(await order(5)).toEqual(await order(5));
    expect(await order(5)).not.toEqual(await order(6));
  });

  it("yielding to the event loop emits the same batches, asynchronously", async () => {
    const plan = { batchIds: ["X", "Y"], steps: 50, batchSize: 3, seed: 2 };
    let syncCount = 0;
    const sub = batches$({ X, Y }, { ...plan, yieldEveryMs: 0 }).subscribe(() => syncCount++);
    expect(syncCount).toBe(1); // yieldEveryMs 0: one batch, then the rest after a timer
    sub.unsubscribe();
    const paced = await collect({ ...plan, yieldEveryMs: 0 });
    const eager = await collect(plan);
    expect(paced.map(sampleIds)).toEqual(eager.map(sampleIds));
  });

  it("selectColumns picks columns in the given order", () => {
    expect(selectColumns(fromRows([[1, 2, 3], [4, 5, 6]]), [2, 0])).toEqual(fromRows([[3, 1], [6, 4]]));
  });
});
