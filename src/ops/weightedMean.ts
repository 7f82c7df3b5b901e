/**
 * `weighted_mean` over samples (columns): L `[n,m]`, W `[1,m]` with weights wᵢ ≥ 0 → `[n,1]`,
 * Σᵢ wᵢ·Lᵢ / Σᵢ wᵢ. When a sample holds several items (tokens of a sequence, pixels of a mask) or none
 * (padding), the cost is a mean over the items, not over the samples: the 1/m of `mean` becomes 1/Σw.
 * Its backward hands sample i the gradient (wᵢ/Σw)·G, so a masked sample (wᵢ = 0) gets none, and
 * dJ/dwᵢ = Gᵀ·(Lᵢ − J)/Σw. A batch whose weights sum to 0 has no items to average over: that is an error,
 * not a NaN (the runtime and `forward` report it naming the node).
 *
 * @example
 * weightedMean.forward([fromRows([[1, 2, 9]]), fromRows([[1, 3, 0]])], {}) // [[1.75]]: (1·1 + 3·2) / 4
 */
import { type Tensor, tensor } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { sameDim, showShape } from "./op.ts";

/** Σ w, after checking that every weight is a number ≥ 0 and that they do not all vanish. */
function weightSum(W: Tensor): number {
  const w = W.data;
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    if (!(w[i] >= 0) || w[i] === Infinity) throw new RangeError(`the weight of sample ${i} is ${w[i]}: weights count items and must be finite and ≥ 0`);
    s += w[i];
  }
  if (!(s > 0)) throw new RangeError(`the weights sum to 0: the batch holds no items to average over (every sample is masked out)`);
  return s;
}

export const weightedMean: OpDef = {
  name: "weighted_mean",
  kind: "reduction",
  operands: ["L", "W"],
  weightsOperand: 1,
  columnwise: false,
  shape: ([l, w]) => {
    if (w[0] !== 1) return `weighted_mean: weights ${showShape(w)} must be one row [1,m], one weight per sample`;
    if (!sameDim(l[1], w[1])) return `weighted_mean: values ${showShape(l)} and weights ${showShape(w)} differ in samples (columns)`;
    return [l[0], 1];
  },
  forward: ([L, W]) => {
    const [n, m] = L.shape;
    const s = weightSum(W);
    const l = L.data;
    // Each sample's share wᵢ/Σw first: a single sample's share is exactly 1, so its mean is exactly Lᵢ
    // whatever its weight (as the sum of wᵢ·Lᵢ divided by Σw would not be), and dJ/dw is exactly 0 there.
    const share = W.data.map((w) => w / s);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let acc = 0;
      for (let j = 0, o = r * m; j < m; j++) acc += share[j] * l[o + j];
      out[r] = acc;
    }
    return tensor(n, 1, out);
  },
  backward: [
    // dJ/dLᵣᵢ = Gᵣ·wᵢ/Σw
    ({ inputs: [L, W], grad }) => {
      const [n, m] = L.shape;
      const s = weightSum(W);
      const w = W.data, g = grad.data;
      const out = new Float64Array(n * m);
      for (let r = 0; r < n; r++) for (let j = 0, o = r * m; j < m; j++) out[o + j] = (g[r] * w[j]) / s;
      return tensor(n, m, out);
    },
    // dJ/dwᵢ = Σᵣ Gᵣ·(Lᵣᵢ − Jᵣ)/Σw: raising one weight pulls the mean toward that sample's value
    ({ inputs: [L, W], output, grad }) => {
      const [n, m] = L.shape;
      const s = weightSum(W);
      const l = L.data, y = output.data, g = grad.data;
      const out = new Float64Array(m);
      for (let r = 0; r < n; r++) for (let j = 0, o = r * m; j < m; j++) out[j] += g[r] * (l[o + j] - y[r]);
      for (let j = 0; j < m; j++) out[j] /= s;
      return tensor(1, m, out);
    },
  ],
  explain: { forward: "{out} = (1/Σ{1})·Σ_samples {1}ᵢ·{0}ᵢ", backward: ["{g}·{1}", "{g}ᵀ·({0} − {out}·1ᵀ)"], mPower: [-1, -1] },
};
