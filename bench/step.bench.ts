/**
 * `npm run bench`: one forward+backward step of graphs/mnist-softmax.yaml (784→128 relu→10, softmax
 * cross-entropy, mean) at m = 64, through gradstream's own path (loadGraph, randomBindings, forward,
 * backward), timed against the same network in @tensorflow/tfjs on its cpu backend, in the same run.
 *
 * @example
 * npm run bench            # prints ms/step for each, the ratio, and a check that both compute the same J
 */
import { fileURLToPath } from "node:url";
import { loadGraph } from "../src/node/loadGraph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import { forward, backward } from "../src/graph/evaluate.ts";
import { useSimdKernels } from "../src/tensor/kernels.ts";
import { timeInterleaved, type StepTiming } from "./timeInterleaved.ts";
import { createTfjsStep } from "./tfjsStep.ts";

const M = 64;
const SEED = 1;
const graphPath = fileURLToPath(new URL("../graphs/mnist-softmax.yaml", import.meta.url));

const graph = await loadGraph(graphPath);
const { values } = randomBindings(graph, M, SEED);
const params = graph.params.map((p) => p.id);

// tfjs differentiates only w.r.t. its variables, so the like-for-like figure asks gradstream for the
// params' gradients alone (no dJ/dX, the largest and most useless product here); the all-grads figure
// is what `gradstream grad` computes.
const stepParams = () => backward(graph, forward(graph, values), params);
const stepAll = () => backward(graph, forward(graph, values));

const peer = await createTfjsStep(values);

// Same data, same J: gradstream in float64, tfjs in float32, so they agree to float32 rounding.
const ours = forward(graph, values).get(graph.loss)!.data[0];
const theirs = peer.loss();
const lossRel = Math.abs(ours - theirs) / Math.abs(ours);
const ourGrads = stepParams();
let gradRel = 0;
for (const [id, g] of peer.grads()) {
  const mine = ourGrads.get(id)!.data;
  let num = 0, den = 0;
  for (let i = 0; i < mine.length; i++) (num = Math.max(num, Math.abs(mine[i] - g[i]))), (den = Math.max(den, Math.abs(mine[i])));
  gradRel = Math.max(gradRel, num / den);
}
const agree = lossRel < 1e-5 && gradRel < 1e-4;

const simd = useSimdKernels(true);
const BATCHES = 9;
const t = timeInterleaved(
  {
    params: stepParams,
    all: stepAll,
    // The same step on the plain-JS kernels, to show what the WebAssembly SIMD kernel contributes.
    plainJs: () => {
      useSimdKernels(false);
      stepParams();
      useSimdKernels(simd);
    },
    tfjs: () => peer.step(),
  },
  { batches: BATCHES, budgetMs: 24000, warmupMs: 800 },
);
peer.dispose();
const tTfjs = t.tfjs;

const row = (name: string, t: StepTiming, ratio: string) =>
  `${name.padEnd(38)} ${t.median.toFixed(3).padStart(8)} ${`${t.min.toFixed(3)}–${t.max.toFixed(3)}`.padStart(15)} ${ratio.padStart(9)}`;
const ratio = (t: StepTiming) => `${(tTfjs.median / t.median).toFixed(1)}×`;

console.log(`gradstream vs @tensorflow/tfjs ${peer.version} (cpu backend) — ${graph.name}, m = ${M}, one forward+backward step`);
console.log(`gradstream kernels: ${simd ? "WebAssembly SIMD (f64x2)" : "plain JS (this engine has no WebAssembly SIMD)"}; node ${process.version}`);
console.log(`median of ${BATCHES} timed batches each, taken in turns after warm-up (range = fastest–slowest batch)`);
console.log("");
console.log(`${"".padEnd(38)} ${"ms/step".padStart(8)} ${"range".padStart(15)} ${"tfjs/this".padStart(9)}`);
console.log(row(`gradstream float64, grads of params`, t.params, ratio(t.params)));
console.log(row(`gradstream float64, all grads`, t.all, ratio(t.all)));
console.log(row(`  (grads of params, plain-JS kernels)`, t.plainJs, ratio(t.plainJs)));
console.log(row("tfjs cpu float32 (its only dtype)", tTfjs, "1.0×"));
console.log("");
console.log(`loss J: gradstream ${ours.toPrecision(10)}, tfjs ${theirs.toPrecision(10)}, relative difference ${lossRel.toExponential(1)}`);
console.log(`param grads: largest difference relative to the largest entry ${gradRel.toExponential(1)} (float32 rounding expected)`);
console.log(agree ? "check: same computation (agree within float32 tolerance)" : "check: FAILED — the two do not compute the same thing");
if (!agree) process.exitCode = 1;
