/**
 * Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, line breaks and doubled
 * quotes), with csv-parse doing the parsing. Each record keeps the 1-based line it starts on, so later
 * errors can name it. Blank lines are skipped; a byte-order mark is dropped. Malformed quoting is a
 * GradstreamError naming the file and line.
 *
 * @example
 * parseCsv('x,y,label\n1,2,"a, b"\n', "d.csv")
 * // [{ line: 1, fields: ["x", "y", "label"] }, { line: 2, fields: ["1", "2", "a, b"] }]
 */
import { parse, CsvError } from "csv-parse/sync";
import { GradstreamError } from "../errors.ts";

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

const QUOTING_HINTS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (a " with no matching ")',
  CSV_INVALID_CLOSING_QUOTE: "unexpected text after a closing quote (a quoted field must end at a comma or the end of the line)",
  INVALID_OPENING_QUOTE: 'a " inside an unquoted field (quote the whole field and double the inner quotes: "a ""b""")',
};

export function parseCsv(text: string, file?: string): CsvRecord[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // Ragged rows are let through here and reported by the caller, which knows the header's width.
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, record_delimiter: ["\r\n", "\n", "\r"] }) as unknown as typeof rows;
  } catch (e) {
    if (e instanceof CsvError) {
      const lines = (e as CsvError & { lines?: number }).lines;
      throw new GradstreamError("DATA_INVALID", { file, line: lines, message: QUOTING_HINTS[e.code] ?? e.message });
    }
    throw e;
  }
  // info.lines is the line a record ends on; a record spanning lines started that many line breaks earlier.
  return rows.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0),
    fields: record,
  }));
}
