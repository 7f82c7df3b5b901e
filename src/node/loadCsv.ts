/**
 * Reads a CSV file from disk into a labelled set (header row, a label column, numeric features as
 * `[features, m]`; see `csvToLabelledSet`). Node-only.
 *
 * @example
 * const set = await loadCsv("data/iris.csv", { label: "species" });
 * set.X.shape // [4, 150]
 */
import { MAX_DATA_FILE_BYTES } from "../data/bindData.ts";
import { csvToLabelledSet, type CsvOptions } from "../datasets/csvToLabelledSet.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { readText } from "./readText.ts";

export async function loadCsv(path: string, options: CsvOptions = {}): Promise<LabelledSet> {
  return csvToLabelledSet(await readText(path, MAX_DATA_FILE_BYTES), path, options);
}
