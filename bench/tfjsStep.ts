/**
 * The peer of the benchmark: the same 784→128 (relu)→10 softmax classifier in @tensorflow/tfjs on its cpu
 * backend, written the way a tfjs user writes it (samples as rows, so `X` is fed transposed and `W` is
 * stored as `Wᵀ`; the arithmetic is the same). tfjs cpu computes in float32 only.
 *
 * @example
 * const peer = await createTfjsStep(values);   // values: the float64 tensors gradstream uses
 * peer.step();                                 // one forward+backward, grads of the params
 * peer.loss();                                 // J on the same data, float32
 */
import { createRequire } from "node:module";
import type { Tensor } from "../src/tensor/tensor.ts";

export interface TfjsStep {
  /** One forward + backward: J and dJ/d(W1, b1, W2, b2), all disposed afterwards. */
  step(): void;
  /** J on the bound data. */
  loss(): number;
  /** dJ/d(param) in gradstream's orientation, for checking the two compute the same thing. */
  grads(): Map<string, Float32Array>;
  version: string;
  dispose(): void;
}

export async function createTfjsStep(values: ReadonlyMap<string, Tensor>): Promise<TfjsStep> {
  // tfjs ships CommonJS for Node; loading it through require keeps its own module resolution.
  const tf = createRequire(import.meta.url)("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  // Production mode skips tfjs's debug checks (and its "install tfjs-node" notice): the peer at its fastest.
  tf.enableProdMode();
  await tf.setBackend("cpu");
  await tf.ready();

  const rowsT = (t: Tensor) => tf.tensor2d(Float32Array.from(t.data), [t.shape[0], t.shape[1]]).transpose();
  const get = (id: string) => values.get(id)!;
  const X = tf.keep(rowsT(get("X")) as import("@tensorflow/tfjs").Tensor2D); // [m, 784]
  const Y = tf.keep(rowsT(get("Y")) as import("@tensorflow/tfjs").Tensor2D); // [m, 10]
  const W1 = tf.variable(rowsT(get("W1")), true, "W1"); // [784, 128]
  const b1 = tf.variable(tf.tensor1d(Float32Array.from(get("b1").data)), true, "b1");
  const W2 = tf.variable(rowsT(get("W2")), true, "W2"); // [128, 10]
  const b2 = tf.variable(tf.tensor1d(Float32Array.from(get("b2").data)), true, "b2");
  const vars = [W1, b1, W2, b2];

  const J = () =>
    tf.tidy(() => {
      const A1 = tf.relu(tf.add(tf.matMul(X, W1), b1));
      const Z2 = tf.add(tf.matMul(A1, W2), b2);
      // Softmax cross-entropy on the logits, averaged over the m samples (its default reduction).
      return tf.losses.softmaxCrossEntropy(Y, Z2) as import("@tensorflow/tfjs").Scalar;
    });

  return {
    version: tf.version.tfjs,
    step() {
      const { value, grads } = tf.variableGrads(J, vars);
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
    },
    loss() {
      const v = J();
      const out = v.dataSync()[0];
      v.dispose();
      return out;
    },
    grads() {
      const { value, grads } = tf.variableGrads(J, vars);
      value.dispose();
      const out = new Map<string, Float32Array>();
      for (const [id, g] of Object.entries(grads)) {
        // W is stored transposed here; hand it back in gradstream's [n_out, n_in].
        const t = g.rank === 2 ? g.transpose() : g;
        out.set(id, t.dataSync() as Float32Array);
        if (t !== g) t.dispose();
        g.dispose();
      }
      return out;
    },
    dispose() {
      tf.dispose([X, Y, ...vars]);
    },
  };
}
