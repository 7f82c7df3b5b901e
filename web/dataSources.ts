/**
 * Where the explorer's inputs come from: the data file the server sent, a random batch of any m, or, for
 * a classifier on two features, a generated dataset (`train --dataset`'s generators) with a share held
 * out as a test set. `loadSource` reads the choice as the user typed it, refuses what does not make
 * sense (a GradstreamError naming the field) and returns the inputs, the held-out inputs and the words
 * that name the batch.
 *
 * @example
 * const loaded = loadSource(graph, { source: "moons", m: "200", seed: "1", noise: "0.2", testPercent: "20" }, file);
 * loaded.batch.text // "moons (noise 0.2, seed 1) · m = 160 training samples · 40 held out for the test cost"
 */
import { GradstreamError } from "../src/errors.ts";
import type { Graph } from "../src/graph/graph.ts";
import { type Tensor, MAX_ELEMENTS } from "../src/tensor/tensor.ts";
import { randomInputs } from "../src/data/randomInputs.ts";
import { trainingRoles, type TrainingRoles } from "../src/train/trainingRoles.ts";
import { isClassifier } from "../src/train/predictClasses.ts";
import { bindTrainingSet } from "../src/train/bindTrainingSet.ts";
import { DATASET_NAMES, generateDataset } from "../src/datasets/generateDataset.ts";
import { holdOut } from "./holdOut.ts";

/** What the inputs hold, for the page's header. */
export interface BatchInfo {
  /** "data", "random", or the dataset's name. */
  readonly source: string;
  /** e.g. "data file data/planar_flower.json · m = 400", "random batch · m = 10 · seed 4". */
  readonly text: string;
  readonly m: number;
  /** Held-out samples, when the data is a generated dataset with a test share. */
  readonly test?: number;
}

/** A data source chosen in the page, as typed. */
export interface DataChoice {
  /** "data", "random", or a dataset name (flower, moons, circles, xor, spiral). */
  readonly source: string;
  readonly m: string;
  readonly seed: string;
  readonly noise?: string;
  readonly testPercent?: string;
}

export interface Loaded {
  readonly inputs: Record<string, Tensor>;
  readonly test?: Record<string, Tensor>;
  readonly batch: BatchInfo;
  /** A short name for the cost chart's mark: "data file", "m = 7", "moons". */
  readonly label: string;
}

/** The data file's inputs, as the server sent them. */
export interface DataFile {
  readonly source: string;
  readonly inputs: Record<string, Tensor>;
  readonly m: number;
}

/** The largest batch the page draws, so a typo cannot freeze the tab. */
export const MAX_PAGE_BATCH = 4096;

/** The sources this graph can take: "data" (with a file), "random", and the datasets for a classifier on two features. */
export function sourcesFor(graph: Graph, file: DataFile | undefined): string[] {
  return [...(file ? ["data"] : []), "random", ...(datasetRoles(graph) ? DATASET_NAMES : [])];
}

export function loadSource(graph: Graph, choice: DataChoice, file: DataFile | undefined): Loaded {
  const sources = sourcesFor(graph, file);
  if (!sources.includes(choice.source)) refuse(`'${choice.source}' is not a data source for graph ${graph.name}; choose one of ${sources.join(", ")}`, "source");
  if (choice.source === "data") return { inputs: file!.inputs, batch: fileBatch(file!), label: "data file" };
  const seed = integer(choice.seed, "seed", 0, 2 ** 31 - 1);
  if (choice.source === "random") {
    const m = integer(choice.m, "m", 1, MAX_PAGE_BATCH);
    const perSample = Math.max(...graph.inputs.map((d) => d.shape.reduce<number>((n, x) => n * (x === "m" ? 1 : Number(x)), 1)));
    if (perSample * m > MAX_ELEMENTS) refuse(`m = ${m} would make the inputs too large`, "m");
    return { inputs: Object.fromEntries(randomInputs(graph, m, seed)), batch: randomBatch(m, seed), label: `m = ${m}` };
  }
  const points = integer(choice.m, "points", 2, MAX_PAGE_BATCH);
  const noise = parseNumber(choice.noise ?? "");
  if (noise === undefined || noise < 0 || noise > 10) refuse(`noise must be a number from 0 to 10, got ${quote(choice.noise ?? "")}`, "noise");
  const percent = parseNumber(choice.testPercent ?? "0");
  if (percent === undefined || percent < 0 || percent > 90) refuse(`the test share must be a percentage from 0 to 90, got ${quote(choice.testPercent ?? "")}`, "test %");
  // A softmax graph with K rows of targets gets a K-class spiral, as in `train --dataset`.
  const targetRows = graph.shapes.get(datasetRoles(graph)!.target)![0];
  const set = generateDataset(choice.source, { m: points, seed, noise: noise!, classes: typeof targetRows === "number" && targetRows > 1 ? targetRows : 2 });
  const parts = holdOut(set, percent! / 100, seed);
  const m = parts.train.labels.length;
  const held = parts.test?.labels.length;
  return {
    inputs: bindTrainingSet(graph, parts.train),
    ...(parts.test ? { test: bindTrainingSet(graph, parts.test) } : {}),
    batch: { source: choice.source, text: `${choice.source} (noise ${noise}, seed ${seed}) · m = ${m} training samples${held ? ` · ${held} held out for the test cost` : ""}`, m, ...(held ? { test: held } : {}) },
    label: choice.source,
  };
}

export function fileBatch(file: DataFile): BatchInfo {
  return { source: "data", text: `data file ${file.source} · m = ${file.m}`, m: file.m };
}

export function randomBatch(m: number, seed: number): BatchInfo {
  return { source: "random", text: `random batch · m = ${m} · seed ${seed}`, m };
}

/** The training roles of a classifier on two features, the graphs the generated 2-D datasets fit; else undefined. */
export function datasetRoles(graph: Graph): TrainingRoles | undefined {
  let roles: TrainingRoles;
  try {
    roles = trainingRoles(graph);
  } catch {
    return undefined;
  }
  if (!roles.features || !isClassifier(roles.lossOp)) return undefined;
  const [rows, cols] = graph.shapes.get(roles.features)!;
  const [, targetCols] = graph.shapes.get(roles.target)!;
  return rows === 2 && cols === "m" && targetCols === "m" ? roles : undefined;
}

/** A number as people type it ("0.5", "-1e-3"); undefined for anything else, including "". */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

function integer(text: string, what: string, lo: number, hi: number): number {
  const x = parseNumber(text);
  if (x === undefined || !Number.isInteger(x) || x < lo || x > hi) refuse(`${what} must be an integer from ${lo} to ${hi}, got ${quote(text)}`, what);
  return x!;
}

function refuse(message: string, field: string): never {
  throw new GradstreamError("DATA_INVALID", { field, message });
}

const quote = (text: string) => JSON.stringify(text.slice(0, 40));
