/**
 * The decision boundary off the page's main thread: the grid of predictions (tens of thousands of points
 * through the network) and its SVG are made here, so training on the page never waits for them. The
 * page sends the graph once, the data when it changes, and params to draw; the worker answers each draw
 * with the panel's two layers (web/boundaryView.ts).
 *
 * @example
 * const worker = new Worker(new URL("./boundaryWorker.ts", import.meta.url), { type: "module" });
 */
import "./zodConfig.ts";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import type { TrainingRoles } from "../src/train/trainingRoles.ts";
import { datasetRoles } from "./dataSources.ts";
import { boundaryParts } from "./boundaryView.ts";
import type { BoundaryRequest, BoundaryAnswer, PlainTensors } from "./boundaryClient.ts";

let graph: Graph | undefined;
let roles: TrainingRoles | undefined;
let data: { version: number; inputs: Record<string, Tensor>; test?: Record<string, Tensor> } | undefined;

const revive = (plain: PlainTensors): Record<string, Tensor> => Object.fromEntries(Object.entries(plain).map(([id, t]) => [id, tensor(t.rows, t.cols, t.data)]));

self.onmessage = (event: MessageEvent<BoundaryRequest>) => {
  const message = event.data;
  if (message.kind === "graph") {
    graph = parseGraph(message.text, message.format, message.source);
    roles = datasetRoles(graph);
    data = undefined;
  } else if (message.kind === "data") {
    data = { version: message.version, inputs: revive(message.inputs), ...(message.test ? { test: revive(message.test) } : {}) };
  } else {
    let answer: BoundaryAnswer;
    try {
      if (!graph || !roles || !data || data.version !== message.dataVersion) throw new Error("the boundary was asked for before its graph and data");
      const parts = boundaryParts(graph, roles, revive(message.params), data.inputs, data.test);
      answer = { id: message.id, update: message.update, dataVersion: data.version, ...(parts ? { parts } : { error: "no decision boundary for this graph" }) };
    } catch (e) {
      answer = { id: message.id, update: message.update, dataVersion: message.dataVersion, error: (e as Error).message };
    }
    self.postMessage(answer);
  }
};
