/**
 * The page's side of the boundary worker (web/boundaryWorker.ts): it sends the graph and the data, asks
 * for the boundary at the current params, and keeps at most one drawing in flight: asks made meanwhile
 * collapse into one, for the latest params, sent when the drawing in flight comes back.
 *
 * @example
 * const client = createBoundaryClient((answer) => show(answer.parts));
 * client.setGraph(problem.graph); client.setData(inputs, test); client.request(update, params);
 */
import type { Tensor } from "../src/tensor/tensor.ts";
import type { BoundaryParts } from "./boundaryView.ts";

export type PlainTensors = Record<string, { rows: number; cols: number; data: Float64Array }>;

export type BoundaryRequest =
  | { kind: "graph"; text: string; format: "yaml" | "json"; source: string }
  | { kind: "data"; version: number; inputs: PlainTensors; test?: PlainTensors }
  | { kind: "draw"; id: number; update: number; dataVersion: number; params: PlainTensors };

export interface BoundaryAnswer {
  readonly id: number;
  /** The update (runtime transaction) whose params were drawn. */
  readonly update: number;
  readonly dataVersion: number;
  readonly parts?: BoundaryParts;
  readonly error?: string;
}

export interface BoundaryClient {
  setGraph(graph: { text: string; format: "yaml" | "json"; source: string }): void;
  setData(inputs: Readonly<Record<string, Tensor>>, test?: Readonly<Record<string, Tensor>>): void;
  /** Draws at these params (now, or after the drawing in flight). */
  request(update: number, params: Readonly<Record<string, Tensor>>): void;
  /** A drawing is in flight or waiting. */
  busy(): boolean;
}

const plain = (tensors: Readonly<Record<string, Tensor>>): PlainTensors => Object.fromEntries(Object.entries(tensors).map(([id, t]) => [id, { rows: t.shape[0], cols: t.shape[1], data: t.data }]));

export function createBoundaryClient(onAnswer: (answer: BoundaryAnswer) => void): BoundaryClient {
  const worker = new Worker(new URL("./boundaryWorker.ts", import.meta.url), { type: "module" });
  let dataVersion = 0;
  let nextId = 1;
  let inFlight = false;
  let waiting: { update: number; params: PlainTensors } | undefined;

  const send = (update: number, params: PlainTensors) => {
    inFlight = true;
    worker.postMessage({ kind: "draw", id: nextId++, update, dataVersion, params } satisfies BoundaryRequest);
  };
  worker.onmessage = (event: MessageEvent<BoundaryAnswer>) => {
    inFlight = false;
    if (waiting) {
      const next = waiting;
      waiting = undefined;
      send(next.update, next.params);
    }
    if (event.data.dataVersion === dataVersion) onAnswer(event.data);
  };
  worker.onerror = (event) => onAnswer({ id: 0, update: -1, dataVersion, error: event.message || "the boundary worker failed" });

  return {
    setGraph(graph) {
      worker.postMessage({ kind: "graph", ...graph } satisfies BoundaryRequest);
    },
    setData(inputs, test) {
      dataVersion++;
      waiting = undefined;
      worker.postMessage({ kind: "data", version: dataVersion, inputs: plain(inputs), ...(test ? { test: plain(test) } : {}) } satisfies BoundaryRequest);
    },
    request(update, params) {
      if (inFlight) waiting = { update, params: plain(params) };
      else send(update, plain(params));
    },
    busy: () => inFlight || waiting !== undefined,
  };
}
