/**
 * Reads a CSV file from disk into a labelled set (header row, a label column, numeric features as
 * `[features, m]`; see `csvToLabelledSet`). The file is streamed record by record, never held as text,
 * within `maxMemory` (default 1 GiB) and the command's own check of m. Node-only.
 *
 * @example
 * const set = await loadCsv("data/iris.csv", { label: "species" });
 * set.X.shape // [4, 150]
 */
import { MAX_DATA_FILE_BYTES } from "../data/bindData.ts";
import { labelledSetReader, type CsvLimits, type CsvOptions } from "../datasets/csvToLabelledSet.ts";
import { csvScanner } from "../datasets/csvScanner.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { DEFAULT_MAX_MEMORY } from "../graph/memoryBudget.ts";
import { readChunks } from "./readChunks.ts";

export async function loadCsv(path: string, options: CsvOptions & CsvLimits = {}): Promise<LabelledSet> {
  const reader = labelledSetReader(path, { ...options, maxMemory: options.maxMemory ?? DEFAULT_MAX_MEMORY });
  const csv = csvScanner((fields, line) => reader.record(fields, line), path);
  const utf8 = new TextDecoder(); // strips a byte-order mark; a character split between chunks waits for the next
  await readChunks(path, MAX_DATA_FILE_BYTES, (bytes) => csv.write(utf8.decode(bytes, { stream: true })));
  csv.write(utf8.decode());
  csv.end();
  return reader.finish();
}
