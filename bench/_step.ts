import { loadGraph } from "../src/graph/parseGraph.ts";
import { randomBindings } from "../src/data/loadData.ts";
import { forward, backward } from "../src/graph/evaluate.ts";
const graph = await loadGraph("graphs/mnist-softmax.yaml");
const { values } = randomBindings(graph, 64, 1);
const params = graph.params.map((p) => p.id);
const all = process.argv.includes("all");
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 4000) { all ? backward(graph, forward(graph, values)) : backward(graph, forward(graph, values), params); n++; }
console.log(((performance.now() - t0) / n).toFixed(3), "ms/step");
