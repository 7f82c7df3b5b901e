/**
 * A labelled set's labels as the Y a graph declares, as its loss needs them:
 * - `binary` (bce, bce_logits): one row of 0s and 1s; two named classes become 0 and 1 in sorted order;
 * - `onehot` (softmax_cross_entropy, cross_entropy): Y `[K, m]`, a 1 in row k for class k;
 * - `real` (mse): one row of the label values, or one-hot columns when Y has more than one row.
 * A label that does not fit (a 2 for bce, a class index past K, three class names for a one-row Y) is an
 * error naming the sample's line when the set came from a file.
 *
 * @example
 * targetsFor(spiral({ classes: 3 }), 3, "onehot").shape // [3, 400], one 1 per column
 * targetsFor(moons(), 1, "binary").shape                // [1, 400] of 0s and 1s
 */
import { GradstreamError } from "../errors.ts";
import { type Tensor, tensor } from "../tensor/tensor.ts";
import type { LabelledSet } from "./labelledSet.ts";

import type { TargetKind } from "../ops/op.ts";
export type { TargetKind };

export function targetsFor(set: LabelledSet, rows: number, kind: TargetKind, target = "Y"): Tensor {
  const m = set.labels.length;
  const file = set.source?.file;
  const fail = (j: number | undefined, message: string): never => {
    const line = j === undefined ? undefined : set.source?.lines[j];
    const prefix = j !== undefined && line === undefined ? `sample ${j}: ` : "";
    throw new GradstreamError("DATA_INVALID", { file, node: target, line, message: prefix + message });
  };
  const named = set.classNames ? ` (${set.classNames.join(", ")})` : "";
  if (rows === 1 && set.classNames && set.classes > 2) {
    fail(undefined, `the labels name ${set.classes} classes${named} but '${target}' has one row; declare '${target}' as [${set.classes}, m] with a softmax cross-entropy`);
  }
  if (kind === "binary" || (kind === "real" && rows === 1)) {
    if (kind === "binary") {
      for (let j = 0; j < m; j++) if (set.labels[j] !== 0 && set.labels[j] !== 1) fail(j, `label ${set.labels[j]} is not 0 or 1, as a binary cross-entropy needs`);
    }
    return tensor(1, m, set.labels.slice());
  }
  if (set.classNames && set.classes !== rows) fail(undefined, `the labels name ${set.classes} classes${named} but '${target}' has ${rows} rows`);
  const data = new Float64Array(rows * m);
  for (let j = 0; j < m; j++) {
    const k = set.labels[j];
    if (!Number.isInteger(k) || k < 0 || k >= rows) fail(j, `label ${k} is not a class index from 0 to ${rows - 1}, as the ${rows} rows of '${target}' need for one-hot targets`);
    data[k * m + j] = 1;
  }
  return tensor(rows, m, data);
}
