/**
 * A training set before it meets a graph: features as columns, and one label per sample, either a class
 * index (classification) or a real target (regression). `targetsFor` turns the labels into the graph's Y.
 *
 * @example
 * const set = moons({ m: 200, seed: 1 }); // X [2, 200], labels 0/1, classes 2
 * set.X.shape // [2, 200]
 */
import type { Tensor } from "../tensor/tensor.ts";

export interface LabelledSet {
  /** What it is, for messages and plots ("moons", "iris.csv"). */
  readonly name: string;
  /** Features, one column per sample: `[features, m]`. */
  readonly X: Tensor;
  /** Per sample: a class index 0..classes−1, or, when `classes` is 0, a real target value. */
  readonly labels: Float64Array;
  /** The number of classes; 0 when the labels are real-valued targets. */
  readonly classes: number;
  /** The class names in index order, when the labels were names (a CSV's "setosa", "virginica", ...). */
  readonly classNames?: readonly string[];
  /** Where each sample came from, for messages: the file and the 1-based line of each sample. */
  readonly source?: { readonly file: string; readonly lines: Int32Array };
}
