/**
 * The browser's `loadCsv`: fetches a CSV by URL into a labelled set (see `csvToLabelledSet`).
 *
 * @example
 * const set = await loadCsv("./data/iris.csv", { label: "species" });
 */
import { MAX_DATA_FILE_BYTES } from "../data/bindData.ts";
import { csvToLabelledSet, type CsvOptions } from "../datasets/csvToLabelledSet.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { fetchText } from "./fetchText.ts";

export async function loadCsv(url: string, options: CsvOptions = {}): Promise<LabelledSet> {
  return csvToLabelledSet(await fetchText(url, MAX_DATA_FILE_BYTES), url, options);
}
