/**
 * Splits CSV text into records of fields, as RFC 4180 defines it: fields separated by commas, records by
 * LF or CRLF; a field in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`).
 * Each record keeps the 1-based line it starts on, so later errors can name it. Blank lines are skipped.
 * Malformed quoting (an unclosed quote, text after a closing quote) is reported with its line.
 *
 * @example
 * parseCsv('x,y,label\n1,2,"a, b"\n', "d.csv")
 * // [{ line: 1, fields: ["x", "y", "label"] }, { line: 2, fields: ["1", "2", "a, b"] }]
 */
import { GradstreamError } from "../errors.ts";

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export function parseCsv(text: string, file?: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first header
  const n = text.length;
  // A record is "blank" until it has a second field or any character: a lone empty field is a blank line.
  let blank = true;
  const endRecord = () => {
    if (!(blank && fields.length === 0 && field === "")) {
      fields.push(field);
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = "";
    blank = true;
  };
  while (i < n) {
    const c = text[i];
    if (c === '"' && field === "") {
      // A quoted field: read to the closing quote; "" inside is a literal quote.
      const openedAt = line;
      blank = false;
      i++;
      for (;;) {
        if (i >= n) throw new GradstreamError("DATA_INVALID", { file, line: openedAt, message: "a quoted field is never closed (a \" with no matching \")" });
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      const after = text[i];
      if (i < n && after !== "," && after !== "\n" && after !== "\r") {
        throw new GradstreamError("DATA_INVALID", { file, line, message: `unexpected ${JSON.stringify(after)} after a closing quote (a quoted field must end at a comma or the end of the line)` });
      }
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      blank = false;
      i++;
    } else if (c === "\n" || c === "\r") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      if (c === '"') throw new GradstreamError("DATA_INVALID", { file, line, message: 'a " inside an unquoted field (quote the whole field and double the inner quotes: "a ""b""")' });
      field += c;
      blank = false;
      i++;
    }
  }
  endRecord();
  return records;
}
