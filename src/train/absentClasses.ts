/**
 * A warning when a classifier is trained on data in which some of its classes never occur: a 3-class
 * softmax graph on 2-class data trains its third output towards "never", and the accuracy it reports says
 * nothing about that class. For one-hot targets `[K, m]`, the rows with no sample; for 0/1 targets, a
 * label that never occurs. Undefined when every class occurs (or the loss is not a classifier's).
 *
 * @example
 * absentClasses(graph, inputs, "iris.csv", ["setosa", "versicolor"])
 * // { file: "iris.csv", node: "Y", severity: "warning", message: "'Y' has 3 rows (classes) but …" }
 */
import type { Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { trainingRoles } from "./trainingRoles.ts";
import { targetClasses } from "./predictClasses.ts";

export function absentClasses(graph: Graph, inputs: Readonly<Record<string, Tensor>>, file: string | undefined, classNames?: readonly string[]): Issue | undefined {
  const roles = trainingRoles(graph);
  if (roles.targetKind === "real") return undefined;
  const Y = inputs[roles.target];
  const [rows, m] = Y.shape;
  if (m === 0) return undefined;
  const classes = rows === 1 ? 2 : rows;
  const seen = new Uint8Array(classes);
  for (const k of targetClasses(Y)) seen[k] = 1;
  const absent = [...seen.keys()].filter((k) => !seen[k]);
  if (!absent.length) return undefined;
  const name = (k: number) => (classNames?.[k] !== undefined ? `${k} (${classNames[k]})` : String(k));
  const which = `class${absent.length > 1 ? "es" : ""} ${absent.map(name).join(", ")} never occur${absent.length > 1 ? "" : "s"}`;
  const shape = rows === 1 ? `'${roles.target}' holds 0/1 labels` : `'${roles.target}' has ${rows} rows (classes)`;
  return {
    file,
    node: roles.target,
    severity: "warning",
    message: `${shape} but the data has samples of ${classes - absent.length} of them (${which}): the graph learns to never predict ${absent.length > 1 ? "them" : "it"}, and the accuracy says nothing about ${absent.length > 1 ? "them" : "it"}`,
  };
}
