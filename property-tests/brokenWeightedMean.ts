/**
 * A deliberately broken `weighted_mean` for the property tests to refute: its backward divides by the m
 * samples instead of by Σw, the items (dJ/dLᵢ = G·wᵢ/m) — the masked-loss bug of normalising by the batch
 * size. Its forward is the real one, so only the gradients are wrong.
 *
 * @example
 * const unregister = registerOp(weightedMeanOverSamples("weighted_mean_divided_by_m"));
 */
import type { OpDef } from "../src/ops/op.ts";
import { weightedMean } from "../src/ops/weightedMean.ts";
import { tensor } from "../src/tensor/tensor.ts";

export function weightedMeanOverSamples(name: string): OpDef {
  return {
    ...weightedMean,
    name,
    backward: [
      ({ inputs: [L, W], grad }) => {
        const [n, m] = L.shape;
        const out = new Float64Array(n * m);
        for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) out[r * m + j] = (grad.data[r] * W.data[j]) / m;
        return tensor(n, m, out);
      },
      weightedMean.backward[1],
    ],
  };
}
