/**
 * A labelled set cut in two at random: a training set and a held-out test set, as a seeded shuffle of the
 * samples (the same seed gives the same cut). The test set keeps `round(share·m)` samples, at least one
 * and at most m − 1 when the share is above 0.
 *
 * @example
 * const { train, test } = holdOut(moons({ m: 200 }), 0.2, 1); // 160 and 40 samples
 */
import type { LabelledSet } from "../src/datasets/labelledSet.ts";
import { selectColumns } from "../src/tensor/selectColumns.ts";
import { createRng } from "../src/data/random.ts";

export function holdOut(set: LabelledSet, share: number, seed: number): { train: LabelledSet; test?: LabelledSet } {
  const m = set.labels.length;
  const nTest = share > 0 ? Math.min(m - 1, Math.max(1, Math.round(share * m))) : 0;
  if (nTest === 0) return { train: set };
  const rng = createRng(seed ^ 0x7e57);
  const order = Int32Array.from({ length: m }, (_, j) => j);
  for (let i = m - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  // Each part keeps the samples in their original order, so a plot of either looks like the whole.
  const testColumns = order.slice(0, nTest).sort();
  const trainColumns = order.slice(nTest).sort();
  const part = (columns: Int32Array, what: string): LabelledSet => ({
    ...set,
    name: `${set.name} (${what})`,
    X: selectColumns(set.X, columns),
    labels: Float64Array.from(columns, (j) => set.labels[j]),
    source: undefined,
  });
  return { train: part(trainColumns, "training"), test: part(testColumns, "test") };
}
