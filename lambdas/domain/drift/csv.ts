/**
 * CSV tables for `vigil drift` and baseline files: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180)
 * — a header row, comma-separated fields, fields optionally in double quotes (which may hold
 * commas, line breaks and `""` for a quote). Lines may end in CRLF or LF; a UTF-8 BOM and a final
 * line break are ignored, and so are blank lines of tables with more than one column. Empty
 * cells are missing values and are dropped per column; a column whose non-empty cells all read
 * as decimal numbers (`-1`, `2.5`, `1e-3`, surrounding spaces allowed) is numeric, any other is
 * categorical (its cells kept as written).
 */
import { CsvParseError } from './errors';
import type { Table } from './types';

const NUMBER_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** One record's fields and the 1-based line it starts on. */
interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** Splits RFC 4180 text into records; throws {@link CsvParseError} on a malformed quote. */
const readRecords = (text: string): CsvRecord[] => {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  let atRecordStart = true;
  const endRecord = (): void => {
    fields.push(field);
    records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    atRecordStart = true;
  };
  while (i < n) {
    const ch = text[i];
    if (atRecordStart) {
      recordLine = line;
      atRecordStart = false;
    }
    if (ch === '"') {
      if (field !== '') {
        throw new CsvParseError(
          `a double quote inside an unquoted field (field ${fields.length + 1}); quote the whole field and double the quote`,
          line,
        );
      }
      const quoteLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      if (!closed) throw new CsvParseError('unterminated quoted field', quoteLine);
      const next = text[i];
      if (i < n && next !== ',' && next !== '\n' && !(next === '\r' && text[i + 1] === '\n')) {
        throw new CsvParseError(
          `unexpected ${JSON.stringify(next)} after the closing quote of field ${fields.length + 1}`,
          line,
        );
      }
      // A quoted empty field is still a field: mark it so an empty line check does not skip it.
      if (field === '') field = '\u0000quoted-empty';
      continue;
    }
    if (ch === ',') {
      fields.push(field === '\u0000quoted-empty' ? '' : field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (ch === '\n') {
      endRecord();
      line++;
      i++;
      continue;
    }
    field += ch;
    i++;
  }
  if (!atRecordStart) endRecord();
  return records.map((r) => ({
    line: r.line,
    fields: r.fields.map((f) => (f === '\u0000quoted-empty' ? '' : f)),
  }));
};

/**
 * Parses a CSV document with a header row into a {@link Table}.
 * @throws CsvParseError (a BadRequestError) naming the line: no header, an empty or duplicate
 * column name, a row with the wrong number of fields, a malformed quote
 * @example parseCsvTable('a,b\n1,x\n2,\n') // { columns: ['a','b'], values: { a: [1, 2], b: ['x'] } }
 */
const parseCsvTable = (text: string): Table => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = readRecords(body);
  const header = records[0];
  if (!header || (header.fields.length === 1 && header.fields[0] === '')) {
    throw new CsvParseError('no header row: the first line must name the columns', 1);
  }
  const columns = header.fields;
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name.trim() === '')
      throw new CsvParseError(`column ${i + 1} has an empty name`, header.line);
    if (seen.has(name)) {
      throw new CsvParseError(`duplicate column name ${JSON.stringify(name)}`, header.line);
    }
    seen.add(name);
  });
  const raw: string[][] = columns.map(() => []);
  for (const record of records.slice(1)) {
    const blank = record.fields.length === 1 && record.fields[0] === '';
    if (blank && columns.length > 1) continue;
    if (record.fields.length !== columns.length) {
      throw new CsvParseError(
        `expected ${columns.length} fields (as in the header), found ${record.fields.length}`,
        record.line,
      );
    }
    record.fields.forEach((f, i) => {
      if (f !== '') raw[i]?.push(f);
    });
  }
  const values: Record<string, (number | string)[]> = {};
  columns.forEach((name, i) => {
    const cells = raw[i] ?? [];
    const numeric = cells.every((c) => NUMBER_RE.test(c));
    values[name] = numeric ? cells.map(Number) : cells;
  });
  return { columns, values };
};

export { parseCsvTable };
