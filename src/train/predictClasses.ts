/**
 * The class a classifier predicts for each sample (column), read from its loss's prediction operand:
 * for `bce` the prediction is a probability, class 1 when it is above 0.5; for `bce_logits` it is a logit,
 * class 1 when it is above 0 (σ(z) > 0.5); for the cross-entropies, the row with the largest value (the
 * same row for logits and for their softmax). Undefined for `mse`, which is not a classifier.
 *
 * @example
 * predictClasses("bce", fromRows([[0.2, 0.7]]))  // Int32Array [0, 1]
 * predictClasses("softmax_cross_entropy", fromRows([[1, 5], [3, 2]]))  // Int32Array [1, 0]
 */
import type { Tensor } from "../tensor/tensor.ts";
import { getOp } from "../ops/registry.ts";

/**
 * What a classifier's prediction operand means as class probabilities: softmax of the logits for
 * `softmax_cross_entropy`, σ of the logit for `bce_logits`, the operand itself for `bce` and
 * `cross_entropy` (already probabilities). Undefined for `mse`.
 *
 * @example
 * classProbabilities("softmax_cross_entropy", fromRows([[0], [0]]))  // [[0.5], [0.5]]
 */
export function classProbabilities(lossOp: string, prediction: Tensor): Tensor | undefined {
  if (lossOp === "softmax_cross_entropy") return getOp("softmax")!.forward([prediction], {});
  if (lossOp === "bce_logits") return getOp("sigmoid")!.forward([prediction], {});
  return isClassifier(lossOp) ? prediction : undefined;
}

export function isClassifier(lossOp: string): boolean {
  return lossOp !== "mse";
}

export function predictClasses(lossOp: string, prediction: Tensor): Int32Array | undefined {
  const [rows, m] = prediction.shape;
  const p = prediction.data;
  const out = new Int32Array(m);
  if (lossOp === "bce" || lossOp === "bce_logits") {
    const threshold = lossOp === "bce" ? 0.5 : 0;
    for (let j = 0; j < m; j++) out[j] = p[j] > threshold ? 1 : 0;
    return out;
  }
  if (!isClassifier(lossOp)) return undefined;
  for (let j = 0; j < m; j++) {
    let best = 0;
    for (let i = 1; i < rows; i++) if (p[i * m + j] > p[best * m + j]) best = i;
    out[j] = best;
  }
  return out;
}

/** The true class of each sample from the targets: the label itself for a one-row Y, the argmax of one-hot columns. */
export function targetClasses(target: Tensor): Int32Array {
  const [rows, m] = target.shape;
  const y = target.data;
  const out = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    if (rows === 1) out[j] = y[j] > 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let i = 1; i < rows; i++) if (y[i * m + j] > y[best * m + j]) best = i;
      out[j] = best;
    }
  }
  return out;
}
