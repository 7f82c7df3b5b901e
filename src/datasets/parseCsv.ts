/**
 * Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, line breaks and doubled
 * quotes), each with the 1-based line it starts on, so later errors can name it. Blank lines are skipped; a
 * byte-order mark is dropped. Malformed quoting is a GradstreamError naming the file and line. For a whole
 * text in memory; files are streamed through `csvScanner` record by record instead.
 *
 * @example
 * parseCsv('x,y,label\n1,2,"a, b"\n', "d.csv")
 * // [{ line: 1, fields: ["x", "y", "label"] }, { line: 2, fields: ["1", "2", "a, b"] }]
 */
import { csvScanner } from "./csvScanner.ts";

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export function parseCsv(text: string, file?: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const csv = csvScanner((fields, line) => records.push({ line, fields }), file);
  csv.write(text);
  csv.end();
  return records;
}
