/**
 * Trained params as a data file (the CONTRACT's format: `{ inputs, params }` of nested row arrays), with
 * the inputs they were trained on, so `run`, `grad`, `check`, `render` and `serve` load the result with
 * `--data`. Numbers keep full float64 precision (JSON.stringify prints the shortest round-trip form).
 *
 * @example
 * writeFileSync("params.json", JSON.stringify(dataFileJson({ X, Y }, state.params)));
 */
import { type Tensor, toRows } from "../tensor/tensor.ts";

export interface DataFileJson {
  inputs: Record<string, number[][]>;
  params: Record<string, number[][]>;
}

export function dataFileJson(inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): DataFileJson {
  const rows = (tensors: Readonly<Record<string, Tensor>>) => Object.fromEntries(Object.entries(tensors).map(([id, t]) => [id, toRows(t)]));
  return { inputs: rows(inputs), params: rows(params) };
}
