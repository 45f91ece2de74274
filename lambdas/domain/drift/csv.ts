/**
 * CSV tables for `vigil drift` and baseline files: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180)
 * — a header row, comma-separated fields, fields optionally in double quotes (which may hold
 * commas, line breaks and `""` for a quote). Lines may end in CRLF or LF; a UTF-8 BOM and a final
 * line break are ignored, and so are blank lines of tables with more than one column. Empty
 * cells are missing values and are dropped per column; a column whose non-empty cells all read
 * as decimal numbers (`-1`, `2.5`, `1e-3`, surrounding spaces allowed) or non-finite ones (`NaN`,
 * `nan`, `inf`, `-Infinity`, any case) is numeric, any other is categorical (its cells kept as
 * written). Non-finite values stay in the table as NaN/±Infinity; the comparison drops and counts them.
 */
import { CsvParseError } from './errors';
import type { Table } from './types';

const NUMBER_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
/** The non-finite spellings of pandas, numpy, R and JavaScript: `NaN`, `nan`, `inf`, `-Infinity`… */
const NON_FINITE_RE = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;

/** A numeric cell's value: the non-finite spellings become NaN or ±Infinity. */
const cellNumber = (cell: string): number => {
  const m = NON_FINITE_RE.exec(cell);
  if (!m) return Number(cell);
  if ((m[2] as string).toLowerCase() === 'nan') return Number.NaN;
  return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
};

/** One record's fields, the 1-based line it starts on, and whether the line is blank. */
interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
  readonly blank: boolean;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Splits RFC 4180 text into records, slicing fields out of the text (no per-character string
 * building); throws {@link CsvParseError} on a malformed quote.
 */
const readRecords = (text: string): CsvRecord[] => {
  const records: CsvRecord[] = [];
  const n = text.length;
  let line = 1;
  let i = 0;
  const isBreak = (at: number): boolean => {
    const c = text.charCodeAt(at);
    return c === LF || (c === CR && text.charCodeAt(at + 1) === LF);
  };
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        quoted = true;
        const quoteLine = line;
        let field = '';
        let start = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new CsvParseError('unterminated quoted field', quoteLine);
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) line++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += text.slice(start, q + 1);
            i = q + 2;
            start = i;
            continue;
          }
          field += text.slice(start, q);
          i = q + 1;
          break;
        }
        if (i < n && text.charCodeAt(i) !== COMMA && !isBreak(i)) {
          throw new CsvParseError(
            `unexpected ${JSON.stringify(text[i])} after the closing quote of field ${fields.length + 1}`,
            line,
          );
        }
        fields.push(field);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (
            c === COMMA ||
            c === QUOTE ||
            c === LF ||
            (c === CR && text.charCodeAt(j + 1) === LF)
          ) {
            break;
          }
          j++;
        }
        if (j < n && text.charCodeAt(j) === QUOTE) {
          throw new CsvParseError(
            `a double quote inside an unquoted field (field ${fields.length + 1}); quote the whole field and double the quote`,
            line,
          );
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i >= n) break;
      if (text.charCodeAt(i) === COMMA) {
        i++;
        if (i >= n) {
          fields.push('');
          break;
        }
        continue;
      }
      i += text.charCodeAt(i) === CR ? 2 : 1;
      line++;
      break;
    }
    records.push({
      fields,
      line: recordLine,
      blank: !quoted && fields.length === 1 && fields[0] === '',
    });
  }
  return records;
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
    if (record.blank && columns.length > 1) continue;
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
    const numeric = cells.every((c) => NUMBER_RE.test(c) || NON_FINITE_RE.test(c));
    values[name] = numeric ? cells.map(cellNumber) : cells;
  });
  return { columns, values };
};

export { parseCsvTable };
