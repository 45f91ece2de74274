/**
 * CSV tables for `vigil drift` and baseline files: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180)
 * — a header row, comma-separated fields, fields optionally in double quotes (which may hold
 * commas, line breaks and `""` for a quote). Lines may end in CRLF or LF; a UTF-8 BOM and a final
 * line break are ignored, and so are blank lines of tables with more than one column. Empty
 * cells are missing values and are dropped per column; a column whose non-empty cells all read
 * as decimal numbers (`-1`, `2.5`, `1e-3`, surrounding spaces allowed) or non-finite ones (`NaN`,
 * `nan`, `inf`, `-Infinity`, any case) is numeric, any other is categorical (its cells kept as
 * written). Non-finite values stay in the table as NaN/±Infinity; the comparison drops and counts them.
 *
 * The body is read column-wise in one pass: numeric cells go straight into their column as
 * numbers, without a string or a record object per cell. A column found categorical part-way is
 * read again from the start as strings (at most two more passes, however many columns turn).
 */
import { CsvParseError } from './errors';
import type { Table } from './types';

const NUMBER_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
/** The non-finite spellings of pandas, numpy, R and JavaScript: `NaN`, `nan`, `inf`, `-Infinity`… */
const NON_FINITE_RE = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => {
  let p = 1;
  for (let i = 0; i < k; i++) p *= 10;
  return p;
});
const MAX_EXACT_INTEGER = 2 ** 53;

/** Where the decimal {@link plainNumber} last read ends. */
let plainEnd = 0;

/**
 * The value of the plain decimal (`[+-]digits[.digits][e[+-]digits]`, no spaces) that starts at
 * `start`, its end left in {@link plainEnd}; NaN when no such decimal starts there. Clinger's
 * fast path when it is exact — digits ≤ 2^53 as an integer, scaled by a power of ten ≤ 22
 * (Clinger, "How to read floating point numbers accurately", 1990), so the one multiplication or
 * division rounds as `Number()` does — else `Number()` itself.
 */
const plainNumber = (text: string, start: number): number => {
  let k = start;
  let c = text.charCodeAt(k);
  const negative = c === MINUS;
  if (negative || c === PLUS) c = text.charCodeAt(++k);
  let m = 0;
  let digits = 0;
  while (c >= ZERO && c <= NINE) {
    m = m * 10 + (c - ZERO);
    digits++;
    c = text.charCodeAt(++k);
  }
  let scale = 0;
  if (c === DOT) {
    c = text.charCodeAt(++k);
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      scale--;
      c = text.charCodeAt(++k);
    }
  }
  if (digits === 0) return Number.NaN;
  if (c === LOWER_E || c === UPPER_E) {
    c = text.charCodeAt(++k);
    const sign = c === MINUS ? -1 : 1;
    if (c === MINUS || c === PLUS) c = text.charCodeAt(++k);
    let exponent = 0;
    let expDigits = 0;
    while (c >= ZERO && c <= NINE) {
      if (exponent < 1000) exponent = exponent * 10 + (c - ZERO);
      expDigits++;
      c = text.charCodeAt(++k);
    }
    if (expDigits === 0) return Number.NaN;
    scale += sign * exponent;
  }
  plainEnd = k;
  if (m > MAX_EXACT_INTEGER) return Number(text.slice(start, k));
  let v: number;
  if (scale === 0) v = m;
  else if (scale > 0 && scale <= 22) v = m * (POW10[scale] as number);
  else if (scale < 0 && scale >= -22) v = m / (POW10[-scale] as number);
  else return Number(text.slice(start, k));
  return negative ? -v : v;
};

/** A numeric cell's value: the non-finite spellings become NaN or ±Infinity. */
const cellNumber = (cell: string): number => {
  const m = NON_FINITE_RE.exec(cell);
  if (!m) return Number(cell);
  if ((m[2] as string).toLowerCase() === 'nan') return Number.NaN;
  return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
};

const isNumericCell = (cell: string): boolean => NUMBER_RE.test(cell) || NON_FINITE_RE.test(cell);

/** A position in the text and the 1-based line it is on. */
interface Cursor {
  i: number;
  line: number;
}

const isBreak = (text: string, at: number): boolean => {
  const c = text.charCodeAt(at);
  return c === LF || (c === CR && text.charCodeAt(at + 1) === LF);
};

/**
 * Reads the quoted field whose opening quote is at `at.i` (field number `field`, for messages);
 * leaves `at` just after the closing quote.
 */
const readQuoted = (text: string, at: Cursor, field: number): string => {
  const quoteLine = at.line;
  let value = '';
  let i = at.i + 1;
  let start = i;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw new CsvParseError('unterminated quoted field', quoteLine);
    for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) at.line++;
    if (text.charCodeAt(q + 1) === QUOTE) {
      value += text.slice(start, q + 1);
      i = q + 2;
      start = i;
      continue;
    }
    value += text.slice(start, q);
    i = q + 1;
    break;
  }
  if (i < text.length && text.charCodeAt(i) !== COMMA && !isBreak(text, i)) {
    throw new CsvParseError(
      `unexpected ${JSON.stringify(text[i])} after the closing quote of field ${field}`,
      at.line,
    );
  }
  at.i = i;
  return value;
};

/** Where the unquoted field starting at `start` ends; throws on a quote inside it. */
const unquotedEnd = (text: string, start: number, line: number, field: number): number => {
  const n = text.length;
  let j = start;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === LF || (c === CR && text.charCodeAt(j + 1) === LF)) return j;
    if (c === QUOTE) {
      throw new CsvParseError(
        `a double quote inside an unquoted field (field ${field}); quote the whole field and double the quote`,
        line,
      );
    }
    j++;
  }
  return j;
};

/**
 * Moves `at` past the separator after a field: returns true when another field of the same
 * record follows, false at the end of the record. `fields` counts the record's fields so far
 * and gains the empty last field of a record that ends the text with a comma.
 */
const nextField = (text: string, at: Cursor, fields: { n: number }): boolean => {
  if (at.i >= text.length) return false;
  if (text.charCodeAt(at.i) === COMMA) {
    at.i++;
    if (at.i < text.length) return true;
    fields.n++;
    return false;
  }
  at.i += text.charCodeAt(at.i) === CR ? 2 : 1;
  at.line++;
  return false;
};

/** Reads one whole record as strings (the header). */
const readRecord = (text: string, at: Cursor): string[] => {
  const fields: string[] = [];
  const count = { n: 0 };
  do {
    if (text.charCodeAt(at.i) === QUOTE) fields.push(readQuoted(text, at, fields.length + 1));
    else {
      const end = unquotedEnd(text, at.i, at.line, fields.length + 1);
      fields.push(text.slice(at.i, end));
      at.i = end;
    }
  } while (nextField(text, at, count));
  if (count.n > 0) fields.push('');
  return fields;
};

/** One read of the body: each column's non-empty cells, and whether a column turned categorical. */
interface BodyRead {
  readonly cells: (number | string)[][];
  readonly turned: boolean;
}

/**
 * Reads the records after the header into columns: cells of `categorical` columns as strings,
 * the others as numbers. A non-numeric cell in a numeric column marks it in `categorical` and
 * sets `turned` (that column's cells are then incomplete); with `stopWhenTurned` the read ends
 * with that record.
 */
const readBody = (
  text: string,
  from: Cursor,
  categorical: boolean[],
  stopWhenTurned: boolean,
): BodyRead => {
  const width = categorical.length;
  const cells: (number | string)[][] = categorical.map(() => []);
  const at: Cursor = { i: from.i, line: from.line };
  const extra = { n: 0 };
  let turned = false;
  const addText = (column: number, cell: string): void => {
    if (cell === '' || column >= width) return;
    if (categorical[column]) (cells[column] as (number | string)[]).push(cell);
    else if (isNumericCell(cell)) (cells[column] as (number | string)[]).push(cellNumber(cell));
    else {
      categorical[column] = true;
      turned = true;
    }
  };
  while (at.i < text.length) {
    const recordLine = at.line;
    let field = 0;
    let blank = false;
    extra.n = 0;
    do {
      const start = at.i;
      if (field < width && !categorical[field]) {
        const v = plainNumber(text, start);
        if (!Number.isNaN(v)) {
          const c = text.charCodeAt(plainEnd);
          if (
            plainEnd === text.length ||
            c === COMMA ||
            c === LF ||
            (c === CR && text.charCodeAt(plainEnd + 1) === LF)
          ) {
            (cells[field] as (number | string)[]).push(v);
            at.i = plainEnd;
            field++;
            continue;
          }
        }
      }
      if (text.charCodeAt(start) === QUOTE) {
        addText(field, readQuoted(text, at, field + 1));
      } else {
        const end = unquotedEnd(text, start, at.line, field + 1);
        if (end === start) blank = field === 0;
        else if (field < width) {
          if (categorical[field]) {
            (cells[field] as (number | string)[]).push(text.slice(start, end));
          } else addText(field, text.slice(start, end));
        }
        at.i = end;
      }
      field++;
    } while (nextField(text, at, extra));
    field += extra.n;
    if (field === 1 && blank && width > 1) continue;
    if (field !== width) {
      throw new CsvParseError(
        `expected ${width} fields (as in the header), found ${field}`,
        recordLine,
      );
    }
    if (turned && stopWhenTurned) break;
  }
  return { cells, turned };
};

/**
 * Parses a CSV document with a header row into a {@link Table}.
 * @throws CsvParseError (a BadRequestError) naming the line: no header, an empty or duplicate
 * column name, a row with the wrong number of fields, a malformed quote
 * @example parseCsvTable('a,b\n1,x\n2,\n') // { columns: ['a','b'], values: { a: [1, 2], b: ['x'] } }
 */
const parseCsvTable = (text: string): Table => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const at: Cursor = { i: 0, line: 1 };
  const columns = body.length === 0 ? [''] : readRecord(body, at);
  if (columns.length === 1 && columns[0] === '') {
    throw new CsvParseError('no header row: the first line must name the columns', 1);
  }
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name.trim() === '') throw new CsvParseError(`column ${i + 1} has an empty name`, 1);
    if (seen.has(name)) {
      throw new CsvParseError(`duplicate column name ${JSON.stringify(name)}`, 1);
    }
    seen.add(name);
  });
  const categorical = columns.map(() => false);
  let read = readBody(body, at, categorical, true);
  if (read.turned) read = readBody(body, at, categorical, false);
  if (read.turned) read = readBody(body, at, categorical, false);
  const values: Record<string, (number | string)[]> = {};
  columns.forEach((name, i) => {
    values[name] = read.cells[i] as (number | string)[];
  });
  return { columns, values };
};

export { parseCsvTable };
