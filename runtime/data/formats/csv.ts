import { RecordError } from "../record.ts";

export interface CsvRow {
  fields: string[];
  /** The line the row starts on (a quoted field may span lines). */
  line: number;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" for a quote inside
 * quotes, quoted fields may hold commas and newlines. Blank lines are skipped.
 */
export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let fieldStarted = false;
  const endRow = () => {
    if (fieldStarted || fields.length > 0 || field !== "") {
      fields.push(field);
      rows.push({ fields, line: rowLine });
    }
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
      fieldStarted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new RecordError(file, quoteLine, 'a quoted field is never closed (a " is missing)');
  endRow();
  return rows;
}
